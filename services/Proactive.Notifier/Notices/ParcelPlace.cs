namespace Proactive.Notifier;

/// <summary>Where a parcel goes or leaves from, as coarse as the shop said: a country (ISO 3166-1) and maybe a region ("KR-11").</summary>
public sealed record ParcelPlace(string Country, string? Region)
{
    /// <summary>The finest place known: the region when given, else the country.</summary>
    public string Name => Region ?? Country;

    public static ParcelPlace? From(Contracts.Events.V1.Address? address) =>
        address is null || address.Country.Length == 0
            ? null
            : new ParcelPlace(address.Country, address.Region.Length > 0 ? address.Region : null);
}

using System.Net.Mail;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using NodaTime;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Events;

/// <summary>
/// The contract's rules beyond types: required fields, bounds (<see cref="ContractLimits"/>), safe
/// ids, timestamps within the <see cref="EventTimeWindow"/>, E.164 phones, IANA zones, BCP 47
/// locales. They hold whether the data came as JSON or protobuf. Messages never repeat a field's
/// value, so they are safe to log.
/// </summary>
internal static partial class ContractRules
{
    // Timestamp's own range (0001-01-01 to 9999-12-31); a protobuf message can carry anything.
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    public static void Validate(IMessage data, EventTimeWindow window, IDictionary<string, string[]> errors)
    {
        CheckFields(data, "data", errors);
        switch (data)
        {
            case OrderSnapshot order:
                Id(order.OrderId, "data.orderId", errors);
                var placedAt = OccurredAt(order.OccurredAt, window, errors);
                Required(order.PromisedBy, "data.promisedBy", errors);
                WithinHorizon(order.PromisedBy, placedAt, window, "data.promisedBy", errors);
                WithinHorizon(order.ShipBy, placedAt, window, "data.shipBy", errors);
                ValidateCustomer(order.Customer, errors);
                if (order.TrackingUrl.Length > 0 && !IsLink(order.TrackingUrl))
                {
                    errors.TryAdd("data.trackingUrl", ["must be an absolute http(s) URL without user information"]);
                }

                Address(order.ShipFrom, "data.shipFrom", errors);
                Address(order.ShipTo, "data.shipTo", errors);
                if (order.FulfilledBy.Length > 0)
                {
                    Id(order.FulfilledBy, "data.fulfilledBy", errors);
                }

                break;
            case OrderCancelled cancelled:
                Id(cancelled.OrderId, "data.orderId", errors);
                OccurredAt(cancelled.OccurredAt, window, errors);
                break;
            case ShipmentCreated created:
                Id(created.ShipmentId, "data.shipmentId", errors);
                Id(created.OrderId, "data.orderId", errors);
                WithinHorizon(created.EstimatedDeliveryAt, OccurredAt(created.OccurredAt, window, errors), window, "data.estimatedDeliveryAt", errors);
                Code(created.ServiceLevel, "data.serviceLevel", errors);
                Address(created.ShipFrom, "data.shipFrom", errors);
                break;
            case ShipmentTracking tracking:
                Id(tracking.ShipmentId, "data.shipmentId", errors);
                Id(tracking.OrderId, "data.orderId", errors);
                WithinHorizon(tracking.EstimatedDeliveryAt, OccurredAt(tracking.OccurredAt, window, errors), window, "data.estimatedDeliveryAt", errors);
                if (tracking.Status == ShipmentTracking.Types.Status.Unspecified)
                {
                    errors.TryAdd("data.status", ["is required"]);
                }

                if (tracking.Status == ShipmentTracking.Types.Status.Exception
                    && (tracking.Exception is null || tracking.Exception.Code == ShipmentTracking.Types.CarrierException.Types.Code.Unspecified))
                {
                    errors.TryAdd("data.exception.code", ["is required when status is EXCEPTION"]);
                }

                break;
        }
    }

    /// <summary>Every string of the message (bounded, no control characters), every timestamp in range, every list bounded.</summary>
    private static void CheckFields(IMessage message, string path, IDictionary<string, string[]> errors)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var items = (System.Collections.IList)value;
                if (items.Count > ContractLimits.MaxChannels)
                {
                    errors.TryAdd($"{path}.{field.JsonName}", [$"must have at most {ContractLimits.MaxChannels} entries"]);
                }

                for (var i = 0; i < items.Count; i++)
                {
                    CheckValue(field, items[i]!, path, i, errors);
                }
            }
            else if (value is not null)
            {
                CheckValue(field, value, path, null, errors);
            }
        }
    }

    /// <summary>One value of <paramref name="field"/> (item <paramref name="index"/> of a list); its path is only spelled out for a fault or a nested message.</summary>
    private static void CheckValue(FieldDescriptor field, object value, string parent, int? index, IDictionary<string, string[]> errors)
    {
        string Path() => index is { } i ? $"{parent}.{field.JsonName}[{i}]" : $"{parent}.{field.JsonName}";
        switch (value)
        {
            case string text:
                var max = ContractLimits.MaxLength.GetValueOrDefault(field.JsonName, ContractLimits.MaxOtherText);
                if (ContractLimits.TextFault(text) is { } fault)
                {
                    errors.TryAdd(Path(), [fault]);
                }
                else if (text.Length > max)
                {
                    errors.TryAdd(Path(), [$"must be at most {max} characters"]);
                }

                break;
            case Timestamp timestamp when !IsValid(timestamp):
                errors.TryAdd(Path(), ["must be a timestamp between years 1 and 9999"]);
                break;
            case Timestamp:
                break;
            case IMessage nested:
                CheckFields(nested, Path(), errors);
                break;
        }
    }

    private static bool IsValid(Timestamp timestamp) =>
        timestamp.Seconds is >= MinSeconds and <= MaxSeconds && timestamp.Nanos is >= 0 and <= 999_999_999;

    /// <summary>The event's instant when it is given, valid and within the window; reports it otherwise.</summary>
    private static DateTimeOffset? OccurredAt(Timestamp? occurredAt, EventTimeWindow window, IDictionary<string, string[]> errors)
    {
        if (occurredAt is null)
        {
            errors.TryAdd("data.occurredAt", ["is required"]);
            return null;
        }

        if (!IsValid(occurredAt))
        {
            return null;
        }

        var at = occurredAt.ToDateTimeOffset();
        if (at > window.Latest)
        {
            errors.TryAdd("data.occurredAt", [$"must not be more than {Describe(window.MaxClockSkew)} ahead of this server's clock (Proactive:Ingest:MaxClockSkew)"]);
            return null;
        }

        if (at < EventTimeWindow.Earliest)
        {
            errors.TryAdd("data.occurredAt", ["must not be before 2000-01-01"]);
            return null;
        }

        return at;
    }

    private static void WithinHorizon(Timestamp? value, DateTimeOffset? occurredAt, EventTimeWindow window, string field, IDictionary<string, string[]> errors)
    {
        if (value is null || !IsValid(value) || occurredAt is not { } at)
        {
            return;
        }

        var distance = (value.ToDateTimeOffset() - at).Duration();
        if (distance > window.MaxHorizon)
        {
            errors.TryAdd(field, [$"must be within {Describe(window.MaxHorizon)} of occurredAt (Proactive:Ingest:MaxHorizon)"]);
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.TotalDays:0} day{(span.TotalDays == 1 ? "" : "s")}" : span.ToString();

    private static void ValidateCustomer(Customer? customer, IDictionary<string, string[]> errors)
    {
        if (customer is null)
        {
            errors.TryAdd("data.customer", ["is required"]);
            return;
        }

        Id(customer.CustomerId, "data.customer.customerId", errors);
        if (customer.Phone.Length == 0 && customer.Email.Length == 0)
        {
            errors.TryAdd("data.customer.phone", ["phone or email is required"]);
        }

        if (customer.Phone.Length > 0 && !E164().IsMatch(customer.Phone))
        {
            errors.TryAdd("data.customer.phone", ["must be an E.164 number, e.g. +12025550143"]);
        }

        if (customer.Email.Length > 0 && !IsEmail(customer.Email))
        {
            errors.TryAdd("data.customer.email", ["must be an email address"]);
        }

        if (customer.Locale.Length > 0 && !Bcp47().IsMatch(customer.Locale))
        {
            errors.TryAdd("data.customer.locale", ["must be a BCP 47 language tag, e.g. ko-KR"]);
        }

        if (customer.TimeZone.Length > 0 && !errors.ContainsKey("data.customer.timeZone")
            && DateTimeZoneProviders.Tzdb.GetZoneOrNull(customer.TimeZone) is null)
        {
            errors.TryAdd("data.customer.timeZone", ["is not an IANA time zone, e.g. Asia/Seoul"]);
        }
    }

    private static bool IsEmail(string email) =>
        MailAddress.TryCreate(email, out var address) && address.Address == email && email.Contains('.', StringComparison.Ordinal);

    private static bool IsLink(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var link) && link.Scheme is "https" or "http" && link.UserInfo.Length == 0 && link.Host.Length > 0;

    private static void Id(string value, string field, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.TryAdd(field, ["is required"]);
        }
        else if (!ContractLimits.IsSafeId(value))
        {
            errors.TryAdd(field, [$"must be at most {ContractLimits.MaxIdLength} letters, digits, '.', '_', '-' or ':', not starting with '.' and without '..'"]);
        }
    }

    /// <summary>An optional address: when given, a country code, and a region of safe characters.</summary>
    private static void Address(Address? address, string field, IDictionary<string, string[]> errors)
    {
        if (address is null)
        {
            return;
        }

        if (address.Country.Length == 0)
        {
            errors.TryAdd($"{field}.country", ["is required when the address is given"]);
        }
        else if (!ContractLimits.IsCountryCode(address.Country))
        {
            errors.TryAdd($"{field}.country", ["must be an ISO 3166-1 alpha-2 code: two uppercase letters, e.g. KR"]);
        }

        Code(address.Region, $"{field}.region", errors);
    }

    private static void Code(string value, string field, IDictionary<string, string[]> errors)
    {
        if (value.Length > 0 && !ContractLimits.IsSafeCode(value))
        {
            errors.TryAdd(field, [$"must be at most {ContractLimits.MaxCodeLength} letters, digits, '-', '_' or '.', e.g. KR-11"]);
        }
    }

    private static void Required(Timestamp? value, string field, IDictionary<string, string[]> errors)
    {
        if (value is null)
        {
            errors.TryAdd(field, ["is required"]);
        }
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex Bcp47();
}

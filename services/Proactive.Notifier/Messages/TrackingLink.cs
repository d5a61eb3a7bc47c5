using System.Globalization;
using System.Net;

namespace Proactive.Notifier.Messages;

/// <summary>A link fit for a message, or why there is none.</summary>
public sealed record LinkCheck(string? Link, string? LeftOut);

/// <summary>
/// Links in messages go only to hosts the shop owns (<c>Proactive:Notices:AllowedLinkHosts</c>): an
/// https URL without user info whose host is a listed name or one of its subdomains (an IP address
/// only when listed as such). The link is written back in one canonical form (punycode host, escaped
/// path), so what the customer sees is exactly what was checked.
/// </summary>
public static class TrackingLink
{
    public const string NotAllowed = "link left out: host not in Proactive:Notices:AllowedLinkHosts";
    public const string NotHttps = "link left out: not an https URL without user info";

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    public static LinkCheck Check(string? url, IReadOnlyCollection<string> allowedHosts)
    {
        if (string.IsNullOrEmpty(url))
        {
            return new LinkCheck(null, null);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return new LinkCheck(null, NotHttps);
        }

        try
        {
            var host = Host(uri);
            if (host is null || !allowedHosts.Any(allowed => Matches(host, uri.HostNameType, allowed)))
            {
                return new LinkCheck(null, NotAllowed);
            }

            var port = uri.IsDefaultPort ? "" : $":{uri.Port}";
            var rest = uri.GetComponents(UriComponents.PathAndQuery | UriComponents.Fragment, UriFormat.UriEscaped);
            return new LinkCheck($"https://{host}{port}{rest}", null);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or InvalidOperationException)
        {
            // Uri parses some hosts it cannot then map to ASCII (IdnHost throws): not a link to send.
            return new LinkCheck(null, NotHttps);
        }
    }

    /// <summary>Why an AllowedLinkHosts entry is not a host name, or null when it is one.</summary>
    public static string? EntryProblem(string? entry)
    {
        if (string.IsNullOrWhiteSpace(entry))
        {
            return "is empty";
        }

        if (IPAddress.TryParse(entry.Trim('[', ']'), out _))
        {
            return null;
        }

        return Normalize(entry) is { } name && name.Contains('.', StringComparison.Ordinal)
            ? null
            : $"'{entry}' is not a host name with a domain, e.g. track.example.com (no scheme, path, port or wildcard)";
    }

    private static bool Matches(string host, UriHostNameType type, string allowed)
    {
        if (type is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return IPAddress.TryParse(host.Trim('[', ']'), out var address)
                && IPAddress.TryParse(allowed.Trim('[', ']'), out var listed)
                && address.Equals(listed);
        }

        return Normalize(allowed) is { } name
            && (host == name || host.EndsWith("." + name, StringComparison.Ordinal));
    }

    private static string? Host(Uri uri) => uri.HostNameType switch
    {
        UriHostNameType.IPv4 or UriHostNameType.IPv6 => uri.Host,
        UriHostNameType.Dns => Normalize(uri.IdnHost),
        _ => null,
    };

    /// <summary>Lower-case ASCII (punycode) form of a DNS name, without a trailing dot; null when it is not one.</summary>
    private static string? Normalize(string name)
    {
        var trimmed = name.Trim().TrimEnd('.');
        if (trimmed.Length == 0 || Uri.CheckHostName(trimmed) != UriHostNameType.Dns)
        {
            return null;
        }

        try
        {
            return Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

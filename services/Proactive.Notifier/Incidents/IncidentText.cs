using System.Globalization;
using System.Net;
using System.Text;

namespace Proactive.Notifier.Incidents;

/// <summary>
/// The alert's words, for the CX team's chat and mail: how many orders, which carrier and
/// destination (or lane, cause), the window, first and last seen, the top causes, and where the API
/// shows the rest. Never a customer's name, phone or email: only counts and the incident's dimensions.
/// </summary>
public static class IncidentText
{
    private const int MaxValueChars = 64;

    public static string Subject(Incident incident) =>
        $"Proactive incident: {incident.OrderCount.ToString(CultureInfo.InvariantCulture)} delayed orders, {Dimensions(incident)}";

    public static string Text(Incident incident, IReadOnlyList<AffectedOrder> orders, TimeSpan window)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Proactive incident {incident.IncidentId}: {incident.OrderCount} delayed orders within {Window(window)}")
            .Append(CultureInfo.InvariantCulture, $" - {Dimensions(incident)}")
            .Append(CultureInfo.InvariantCulture, $" - first seen {At(incident.FirstSeenAt)}, last seen {At(incident.LastSeenAt)}");
        var causes = Top(orders.Select(o => o.Cause));
        if (causes.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" - top causes: {causes}");
        }

        if (incident.Dimension("lane") is null && Top(orders.Where(o => o.Lane is not null).Select(o => o.Lane!)) is { Length: > 0 } lanes)
        {
            text.Append(CultureInfo.InvariantCulture, $" - lanes: {lanes}");
        }

        return text.Append(CultureInfo.InvariantCulture, $". Details: GET {incident.ApiPath}").ToString();
    }

    public static string Html(string text) => $"<p>{WebUtility.HtmlEncode(text)}</p>";

    private static string Dimensions(Incident incident) =>
        string.Join(", ", incident.Dimensions.Select(d => $"{d.Dimension} {Safe(d.Value)}"));

    private static string Top(IEnumerable<string> values) => string.Join(
        ", ",
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(3)
            .Select(g => $"{Safe(g.Key)} {g.Count().ToString(CultureInfo.InvariantCulture)}"));

    private static string At(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Window(TimeSpan window) => window.TotalMinutes % 60 == 0
        ? $"{window.TotalHours.ToString(CultureInfo.InvariantCulture)} h"
        : $"{window.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min";

    /// <summary>
    /// An upstream value (a carrier's name) as plain words: chat apps read markup in "text"
    /// (Slack's &lt;!channel&gt;, Mattermost's @all, links), so only letters, digits and a few
    /// harmless marks are kept, and at most <see cref="MaxValueChars"/> of them.
    /// </summary>
    public static string Safe(string value)
    {
        var kept = new StringBuilder(Math.Min(value.Length, MaxValueChars));
        foreach (var ch in value.Take(MaxValueChars))
        {
            kept.Append(char.IsLetterOrDigit(ch) || " -_.,/()'+>#".Contains(ch, StringComparison.Ordinal) ? ch : ' ');
        }

        return kept.ToString().Trim();
    }
}

namespace Proactive.Notifier.Messages.Templates;

/// <summary>
/// Everything a template can show, and nothing else: values already made safe
/// (<see cref="SafeText"/>, <see cref="TrackingLink"/>) and dates already written in the
/// customer's zone and language. Customer-supplied values are data: they are printed, never parsed
/// as template code. A template naming anything else (<c>{{ customer.phone }}</c>) is refused when
/// it is loaded or stored (<see cref="TemplateCompiler"/>).
/// </summary>
/// <param name="FirstName"><c>customer.first_name</c>: the name to greet, or empty when it is not safe to show.</param>
/// <param name="OrderId"><c>order.id</c>: letters, digits, '-' and '_' only; empty when none is left.</param>
/// <param name="PromisedDate"><c>promised_date</c>: short form ("Sat, Nov 28", "sáb, 28/11").</param>
/// <param name="PromisedDateLong"><c>promised_date_long</c>: long form ("Saturday, November 28").</param>
/// <param name="NewDate"><c>new_date</c>: the new estimate, short form; empty when there is none worth telling.</param>
/// <param name="NewDateLong"><c>new_date_long</c>: the new estimate, long form.</param>
/// <param name="Reason"><c>reason</c>: what happened, one sentence in the customer's language.</param>
/// <param name="TrackingLink"><c>tracking_link</c>: the tracking URL on an allowed host, or empty.</param>
/// <param name="ShopName"><c>shop.name</c>: Proactive:Notices:SenderName.</param>
/// <param name="SupportContact"><c>support_contact</c>: Proactive:Templates:SupportContact, or empty.</param>
/// <param name="Kind"><c>notice.kind</c>: DELAY, FURTHER_DELAY, AT_RISK, ACTION_REQUIRED or BACK_ON_TRACK.</param>
/// <param name="AtRisk"><c>notice.at_risk</c>: true when the order is not late yet but may be.</param>
/// <param name="Survey"><c>survey.links</c> (the five one-click answer links, score 1 first; none when the survey goes by SMS
/// or is not sent) and <c>survey.valid_days</c> (how many days the links work); empty for other kinds.</param>
/// <param name="Brief"><c>brief</c>: true when the full SMS did not fit its segment limit; leave out what can go.</param>
public sealed record TemplateModel(
    string? FirstName,
    string? OrderId,
    string? PromisedDate,
    string? PromisedDateLong,
    string? NewDate,
    string? NewDateLong,
    string Reason,
    string? TrackingLink,
    string ShopName,
    string? SupportContact,
    string Kind,
    bool AtRisk,
    bool Brief = false,
    SurveyModel? Survey = null)
{
    /// <summary>The names a template may use, as dotted paths.</summary>
    public static readonly IReadOnlySet<string> Paths = new HashSet<string>(StringComparer.Ordinal)
    {
        "customer.first_name", "order.id", "promised_date", "promised_date_long", "new_date", "new_date_long",
        "reason", "tracking_link", "shop.name", "support_contact", "notice.kind", "notice.at_risk", "brief",
        "survey.links", "survey.valid_days",
    };

    /// <summary>The values under their template names.</summary>
    internal IEnumerable<(string Name, object? Value)> Values()
    {
        yield return ("customer", new Dictionary<string, object?> { ["first_name"] = FirstName });
        yield return ("order", new Dictionary<string, object?> { ["id"] = OrderId });
        yield return ("promised_date", PromisedDate);
        yield return ("promised_date_long", PromisedDateLong);
        yield return ("new_date", NewDate);
        yield return ("new_date_long", NewDateLong);
        yield return ("reason", Reason);
        yield return ("tracking_link", TrackingLink);
        yield return ("shop", new Dictionary<string, object?> { ["name"] = ShopName });
        yield return ("support_contact", SupportContact);
        yield return ("notice", new Dictionary<string, object?> { ["kind"] = Kind, ["at_risk"] = AtRisk });
        yield return ("brief", Brief);
        yield return ("survey", new Dictionary<string, object?> { ["links"] = Survey?.Links ?? [], ["valid_days"] = Survey?.ValidDays ?? 0 });
    }
}

/// <summary>What a survey template sees under <c>survey</c>: the answer links, score 1 first, and how many days they work.</summary>
public sealed record SurveyModel(IReadOnlyList<string> Links, int ValidDays);

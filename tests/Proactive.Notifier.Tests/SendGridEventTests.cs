using System.Text;
using Proactive.Notifier.Receipts;

namespace Proactive.Notifier.Tests;

/// <summary>What each SendGrid event does, read from bodies like SendGrid's own samples.</summary>
public class SendGridEventTests
{
    private static SendGridEvent Parse(string json)
    {
        var (events, problems) = SendGridEvent.ParseBatch(Encoding.UTF8.GetBytes($"[{json}]\r\n"));
        problems.ShouldBeEmpty();
        return events.ShouldNotBeNull().ShouldHaveSingleItem();
    }

    private static SendGridEvent Event(string kind, string extra = "") =>
        Parse($$"""{"email":"example@test.com","timestamp":1513299569,"event":"{{kind}}","sg_event_id":"ev-1","sg_message_id":"14c5d75ce93.dfd.64b469"{{extra}}}""");

    [Theory]
    [InlineData("delivered", "", EmailEventEffect.Delivered, "delivered")]
    [InlineData("deferred", ""","response":"400 try again later","attempt":"5" """, EmailEventEffect.Recorded, "deferred")]
    [InlineData("bounce", ""","reason":"500 unknown recipient","status":"5.0.0" """, EmailEventEffect.Bounced, "bounce")]
    [InlineData("bounce", ""","type":"bounce","reason":"550 5.1.1 user unknown" """, EmailEventEffect.Bounced, "bounce")]
    [InlineData("bounce", ""","type":"blocked","reason":"421 try later" """, EmailEventEffect.Recorded, "blocked")]
    [InlineData("bounce", ""","type":"expired" """, EmailEventEffect.Recorded, "expired")]
    [InlineData("dropped", ""","reason":"Bounced Address","status":"5.0.0" """, EmailEventEffect.Bounced, "dropped")]
    [InlineData("dropped", ""","reason":"Invalid" """, EmailEventEffect.Bounced, "dropped")]
    [InlineData("dropped", ""","reason":"Unsubscribed Address" """, EmailEventEffect.Undelivered, "dropped")]
    [InlineData("spamreport", "", EmailEventEffect.OptedOut, "spamreport")]
    [InlineData("unsubscribe", "", EmailEventEffect.OptedOut, "unsubscribe")]
    [InlineData("group_unsubscribe", ""","asm_group_id":10 """, EmailEventEffect.OptedOut, "group_unsubscribe")]
    [InlineData("processed", "", EmailEventEffect.Ignored, "processed")]
    [InlineData("open", "", EmailEventEffect.Ignored, "open")]
    [InlineData("click", ""","url":"http://www.sendgrid.com/" """, EmailEventEffect.Ignored, "click")]
    [InlineData("group_resubscribe", "", EmailEventEffect.Ignored, "group_resubscribe")]
    [InlineData("account_status_change", "", EmailEventEffect.Ignored, "other")]
    public void EachEventHasItsEffect(string kind, string extra, EmailEventEffect effect, string metricName)
    {
        var e = Event(kind, extra);

        e.Effect.ShouldBe(effect);
        e.MetricName.ShouldBe(metricName);
    }

    [Fact]
    public void CustomArgsAreTopLevelKeysAndTheMessageIdIsTheSgMessageIdsPrefix()
    {
        var e = Event("delivered", ""","notice_id":"A-1/delay-1/1/email","order_id":"A-1" """);

        (e.NoticeId, e.MessageId, e.EventId, e.OccurredAt).ShouldBe(("A-1/delay-1/1/email", "14c5d75ce93", "ev-1", DateTimeOffset.FromUnixTimeSeconds(1513299569)));
    }

    [Fact]
    public void TheReasonIsKeptWithAddressesMasked()
    {
        var e = Event("bounce", ""","reason":"550 5.1.1 <example@test.com>: Recipient address rejected" """);

        e.Detail.ShouldBe("550 5.1.1 <[email]>: Recipient address rejected");
    }

    [Fact]
    public void ElementsThatAreNotEventsAreNamedByIndexAndFieldAndTheOthersKept()
    {
        var body = """
            [{"event":"delivered","sg_event_id":"ok-0"}, 7, {"sg_event_id":"x"}, {"event":"delivered"}, {"event":"delivered","sg_event_id":12},
             {"event":"delivered","sg_event_id":"ok-5"}]
            """;

        var (events, problems) = SendGridEvent.ParseBatch(Encoding.UTF8.GetBytes(body));

        events.ShouldNotBeNull().Select(e => e.EventId).ShouldBe(["ok-0", "ok-5"]);
        problems.ShouldBe(
        [
            "[1]: not an object",
            "[2].event: missing or not a string",
            "[3].sg_event_id: missing, not a string or over 200 characters",
            "[4].sg_event_id: missing, not a string or over 200 characters",
        ]);
    }

    [Theory]
    [InlineData("{\"event\":\"delivered\",\"sg_event_id\":\"a\"}", "the body is not a JSON array of events")]
    [InlineData("[{\"event\":\"delivered\"", "the body is not valid JSON (or repeats a key)")]
    [InlineData("[{\"event\":\"delivered\",\"event\":\"bounce\",\"sg_event_id\":\"a\"}]", "the body is not valid JSON (or repeats a key)")]
    [InlineData("", "the body is not valid JSON (or repeats a key)")]
    public void ABodyThatIsNotAnArrayOfEventsIsMalformedAsAWhole(string body, string problem)
    {
        var (events, problems) = SendGridEvent.ParseBatch(Encoding.UTF8.GetBytes(body));

        events.ShouldBeNull();
        problems.ShouldBe([problem]);
    }
}

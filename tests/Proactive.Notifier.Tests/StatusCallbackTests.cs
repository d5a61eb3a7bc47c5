using Microsoft.Extensions.Primitives;
using Proactive.Notifier.Receipts;

namespace Proactive.Notifier.Tests;

public class StatusCallbackTests
{
    private static Dictionary<string, string> Form(params (string Key, string Value)[] extra)
    {
        var form = new Dictionary<string, string> { ["MessageSid"] = "SM0123", ["MessageStatus"] = "undelivered", ["AccountSid"] = "AC1" };
        foreach (var (key, value) in extra)
        {
            form[key] = value;
        }

        return form;
    }

    [Fact]
    public void ACallbackIsReadWithItsCodeNoticeAndCarrierTime()
    {
        var (callback, problem) = StatusCallback.Read(Form(("ErrorCode", "30003"), ("RawDlrDoneDate", "2611240159")), new StringValues("A-1/delay-1/1/sms"));

        problem.ShouldBeNull();
        callback.ShouldBe(new StatusCallback("SM0123", "undelivered", 30003, "A-1/delay-1/1/sms", new DateTimeOffset(2026, 11, 24, 1, 59, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void WithoutCodeNoticeOrCarrierTimeThoseAreAbsent()
    {
        var (callback, _) = StatusCallback.Read(Form(("ErrorCode", ""), ("RawDlrDoneDate", "yesterday")), StringValues.Empty);

        callback.ShouldBe(new StatusCallback("SM0123", "undelivered", null, null, null));
    }

    [Theory]
    [InlineData("MessageSid", null, "MessageSid is required")]
    [InlineData("MessageSid", "", "MessageSid is required")]
    [InlineData("MessageSid", "SM 1", "MessageSid must be")]
    [InlineData("MessageStatus", null, "MessageStatus is required")]
    [InlineData("MessageStatus", "Delivered", "MessageStatus must be")]
    [InlineData("ErrorCode", "-1", "ErrorCode must be a whole number")]
    [InlineData("ErrorCode", "30003.0", "ErrorCode must be a whole number")]
    public void AFieldAtFaultIsNamed(string field, string? value, string expected)
    {
        var form = Form();
        form.Remove(field);
        if (value is not null)
        {
            form[field] = value;
        }

        var (callback, problem) = StatusCallback.Read(form, StringValues.Empty);

        callback.ShouldBeNull();
        problem!.ShouldStartWith(expected);
    }

    [Fact]
    public void TheNoticeGivenTwiceIsRefused() =>
        StatusCallback.Read(Form(), new StringValues(["a", "b"])).Problem!.ShouldContain("notice");

    [Fact]
    public void EventKeysTellStatusesAndCodesApart()
    {
        SmsReceipts.EventKey("SM1", "delivered", null).ShouldBe("SM1:delivered");
        SmsReceipts.EventKey("SM1", "undelivered", 30003).ShouldBe("SM1:undelivered:30003");
        SmsReceipts.EventKey("SM1", "undelivered", 30005).ShouldNotBe(SmsReceipts.EventKey("SM1", "undelivered", 30003));
    }
}

using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Channels.Email;
using Proactive.Notifier.Channels.Sms;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Webhooks;
using Proactive.Tests.Shared;

namespace Proactive.Notifier.Tests;

public sealed class ProviderSenderTests : IAsyncLifetime
{
    private static readonly OutgoingNotice Sms = new("A-1/delay-1/1/sms", "A-1", Channel.Sms, "+821012345678", null, "ko-KR", null, "주문 A-1 배송 지연", null);
    private static readonly OutgoingNotice Mail = new("A-1/delay-1/1/email", "A-1", Channel.Email, "minji@example.com", "김민지", "ko-KR", "배송 지연 안내", "text body", "<p>html body</p>");

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private readonly HttpClient http = new();
    private FakeTwilio twilio = null!;
    private FakeSendGrid sendGrid = null!;

    public async ValueTask InitializeAsync()
    {
        twilio = await FakeTwilio.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await twilio.DisposeAsync();
        await sendGrid.DisposeAsync();
    }

    private TwilioSmsSender Twilio(string? messagingService = null, string? publicBaseUrl = null) => new(http, Options.Create(new TwilioOptions
    {
        AccountSid = FakeTwilio.AccountSid,
        AuthToken = FakeTwilio.AuthToken,
        From = messagingService is null ? FakeTwilio.From : null,
        MessagingServiceSid = messagingService,
        BaseUrl = twilio.BaseUrl,
    }), Options.Create(new WebhookOptions { PublicBaseUrl = publicBaseUrl }), time);

    private SendGridEmailSender SendGrid() => new(http, Options.Create(new SendGridOptions
    {
        ApiKey = FakeSendGrid.ApiKey,
        From = FakeSendGrid.From,
        FromName = "Shop",
        Host = sendGrid.Host,
    }), time);

    [Fact]
    public async Task TwilioGetsOneFormPostWithTheNumberAndBody()
    {
        var result = await Twilio().SendAsync(Sms, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(SendOutcome.Sent);
        result.ProviderMessageId!.ShouldStartWith("SM");
        var sent = twilio.Messages.ShouldHaveSingleItem();
        sent.ShouldBe(new TwilioMessage("+821012345678", FakeTwilio.From, "", "주문 A-1 배송 지연") { Sid = result.ProviderMessageId });
        sent.StatusCallback.ShouldBeNull();
    }

    [Fact]
    public async Task EachSmsAsksTwilioToReportOnItAtItsNoticesStatusCallback()
    {
        var result = await Twilio(publicBaseUrl: "https://proactive.example.com/").SendAsync(Sms, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(SendOutcome.Sent);
        twilio.Messages.ShouldHaveSingleItem().StatusCallback.ShouldBe("https://proactive.example.com/v1/webhooks/twilio/status?notice=A-1%2Fdelay-1%2F1%2Fsms");
    }

    [Fact]
    public async Task ANonJsonServerErrorIsTransientByItsHttpStatus()
    {
        twilio.ReplyEmpty(502);

        var result = await Twilio().SendAsync(Sms, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(SendOutcome.Transient);
        result.ProviderCode.ShouldBe("502");
    }

    [Fact]
    public async Task ATwilioTimeoutIsTransient()
    {
        _ = twilio.Hang();
        using var impatient = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        var sender = new TwilioSmsSender(impatient, Options.Create(new TwilioOptions
        {
            AccountSid = FakeTwilio.AccountSid,
            AuthToken = FakeTwilio.AuthToken,
            From = FakeTwilio.From,
            BaseUrl = twilio.BaseUrl,
        }), Options.Create(new WebhookOptions()), time);

        var result = await sender.SendAsync(Sms, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(SendOutcome.Transient);
        result.Detail.ShouldBe("twilio timed out");
    }

    [Fact]
    public async Task CancellingASendCancelsTheTwilioCall()
    {
        var arrived = twilio.Hang();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var send = Twilio().SendAsync(Sms, stop.Token);
        await arrived;

        await stop.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(send);
    }

    [Fact]
    public async Task TwilioCanSendThroughAMessagingService()
    {
        await Twilio("MG0123456789abcdef0123456789abcdef").SendAsync(Sms, TestContext.Current.CancellationToken);

        twilio.Messages.ShouldHaveSingleItem().MessagingServiceSid.ShouldBe("MG0123456789abcdef0123456789abcdef");
    }

    [Theory]
    [InlineData(500, 20500, SendOutcome.Transient, RecipientProblem.None)]
    [InlineData(503, 20503, SendOutcome.Transient, RecipientProblem.None)]
    [InlineData(429, 20429, SendOutcome.Transient, RecipientProblem.None)]
    [InlineData(400, 21611, SendOutcome.Transient, RecipientProblem.None)]
    [InlineData(400, 21211, SendOutcome.Permanent, RecipientProblem.Unreachable)]
    [InlineData(400, 21614, SendOutcome.Permanent, RecipientProblem.Unreachable)]
    [InlineData(400, 21612, SendOutcome.Permanent, RecipientProblem.Unreachable)]
    [InlineData(400, 21408, SendOutcome.Permanent, RecipientProblem.Unreachable)]
    [InlineData(400, 21610, SendOutcome.Permanent, RecipientProblem.OptedOut)]
    [InlineData(400, 21604, SendOutcome.Permanent, RecipientProblem.None)]
    [InlineData(401, 20003, SendOutcome.Permanent, RecipientProblem.None)]
    public async Task TwilioErrorsAreClassifiedByTheirCode(int status, int code, SendOutcome expected, RecipientProblem problem)
    {
        twilio.ReplyError(status, code, "The 'To' number +821012345678 is not valid.");

        var result = await Twilio().SendAsync(Sms, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(expected);
        result.Problem.ShouldBe(problem);
        result.ProviderCode.ShouldBe(code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        result.Detail!.ShouldNotContain("821012345678");
    }

    [Fact]
    public async Task TwilioRetryAfterIsPassedOn()
    {
        twilio.ReplyError(429, 20429, "Too Many Requests", retryAfterSeconds: 90);

        var result = await Twilio().SendAsync(Sms, TestContext.Current.CancellationToken);

        result.RetryAfter.ShouldBe(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task AnUnreachableTwilioIsTransient()
    {
        var port = new Uri(twilio.BaseUrl).Port;
        await twilio.DisposeAsync();
        twilio = await FakeTwilio.StartAsync();
        var sender = new TwilioSmsSender(http, Options.Create(new TwilioOptions
        {
            AccountSid = FakeTwilio.AccountSid,
            AuthToken = FakeTwilio.AuthToken,
            From = FakeTwilio.From,
            BaseUrl = $"http://127.0.0.1:{port}",
        }), Options.Create(new WebhookOptions()), time);

        (await sender.SendAsync(Sms, TestContext.Current.CancellationToken)).Outcome.ShouldBe(SendOutcome.Transient);
    }

    [Fact]
    public async Task SendGridGetsOneMailSendWithTextAndHtml()
    {
        var result = await SendGrid().SendAsync(Mail, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(SendOutcome.Sent, result.Detail);
        result.ProviderMessageId!.Length.ShouldBe(22);
        var mail = sendGrid.Mails.ShouldHaveSingleItem();
        mail.ShouldBe(new SentMail("minji@example.com", FakeSendGrid.From, "배송 지연 안내", "text body", "<p>html body</p>"));
        using var raw = System.Text.Json.JsonDocument.Parse(sendGrid.RawBodies.Single());
        raw.RootElement.GetProperty("subject").GetString().ShouldBe("배송 지연 안내");
        raw.RootElement.GetProperty("personalizations")[0].GetProperty("custom_args").GetProperty("notice_id").GetString().ShouldBe(Mail.NoticeId);
    }

    [Theory]
    [InlineData(400, SendOutcome.Permanent)]
    [InlineData(401, SendOutcome.Permanent)]
    [InlineData(403, SendOutcome.Permanent)]
    [InlineData(429, SendOutcome.Transient)]
    [InlineData(500, SendOutcome.Transient)]
    [InlineData(503, SendOutcome.Transient)]
    public async Task SendGridErrorsAreClassifiedByStatus(int status, SendOutcome expected)
    {
        sendGrid.ReplyError(status, "Does not contain a valid address.", "personalizations.0.to.0.email");

        var result = await SendGrid().SendAsync(Mail, TestContext.Current.CancellationToken);

        result.Outcome.ShouldBe(expected);
        result.ProviderCode.ShouldBe(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        result.Detail!.ShouldContain("personalizations.0.to.0.email");
    }

    [Fact]
    public async Task SendGridRateLimitResetIsPassedOn()
    {
        var reset = time.GetUtcNow().AddSeconds(45).ToUnixTimeSeconds();
        sendGrid.ReplyError(429, "too many requests", headers: new Dictionary<string, string> { ["X-RateLimit-Reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var result = await SendGrid().SendAsync(Mail, TestContext.Current.CancellationToken);

        result.RetryAfter.ShouldBe(TimeSpan.FromSeconds(45));
    }

    [Fact]
    public void BackoffDoublesIsCappedJitteredAndHonoursRetryAfter()
    {
        var o = new DispatchOptions { RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(5) };

        // Jitter spreads each wait over [half, all] of the exponential step.
        NoticeDispatcher.Backoff(1, null, o, 1).ShouldBe(TimeSpan.FromSeconds(30));
        NoticeDispatcher.Backoff(1, null, o, 0).ShouldBe(TimeSpan.FromSeconds(15));
        NoticeDispatcher.Backoff(2, null, o, 1).ShouldBe(TimeSpan.FromSeconds(60));
        NoticeDispatcher.Backoff(2, null, o, 0.5).ShouldBe(TimeSpan.FromSeconds(45));
        NoticeDispatcher.Backoff(10, null, o, 1).ShouldBe(TimeSpan.FromMinutes(5));
        NoticeDispatcher.Backoff(10, null, o, 0).ShouldBe(TimeSpan.FromMinutes(2.5));

        // The provider's Retry-After is a floor, never shortened by jitter.
        NoticeDispatcher.Backoff(1, TimeSpan.FromMinutes(2), o, 0).ShouldBe(TimeSpan.FromMinutes(2));
        NoticeDispatcher.Backoff(1, TimeSpan.FromSeconds(5), o, 0).ShouldBe(TimeSpan.FromSeconds(15));
    }
}

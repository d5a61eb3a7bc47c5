using Proactive.Notifier.Channels;
using Proactive.Notifier.Channels.Email;
using Proactive.Notifier.Channels.Sms;

namespace Proactive.Notifier.Tests;

/// <summary>Notifier's sections say what is wrong with them, naming each key, so the host refuses to start.</summary>
public class NotifierOptionsTests
{
    [Fact]
    public void TheDefaultsAreFitToStartWith()
    {
        new DispatchOptions().Problems().ShouldBeEmpty();
        new TwilioOptions().Problems().ShouldBeEmpty();
        new SendGridOptions().Problems().ShouldBeEmpty();
    }

    [Fact]
    public void RequiredProvidersNameEachMissingKeyAndNothingWhenBothChannelsHaveCredentials()
    {
        RequiredProviders.Missing(new TwilioOptions(), new SendGridOptions()).Select(p => p[..p.IndexOf(" must", StringComparison.Ordinal)]).ShouldBe(
            ["Twilio:AccountSid", "Twilio:AuthToken", "Twilio:From or Twilio:MessagingServiceSid", "SendGrid:ApiKey", "SendGrid:From"]);
        RequiredProviders.Missing(new TwilioOptions { AccountSid = "AC1", AuthToken = "t" }, new SendGridOptions { ApiKey = "SG.k" }).ShouldBe(
        [
            "Twilio:From or Twilio:MessagingServiceSid must be set: Proactive:Dispatch:RequireProviders is true and SMS has no other way out",
            "SendGrid:From must be set: Proactive:Dispatch:RequireProviders is true and email has no other way out",
        ]);
        RequiredProviders.Missing(
            new TwilioOptions { AccountSid = "AC1", AuthToken = "t", MessagingServiceSid = "MG1" }, new SendGridOptions { ApiKey = "SG.k", From = "a@shop.example" }).ShouldBeEmpty();
    }

    [Fact]
    public void DispatchNamesEveryIntervalCountAndPathAtFault()
    {
        new DispatchOptions
        {
            MaxAttempts = 0,
            RetryFor = TimeSpan.Zero,
            RetryBaseDelay = TimeSpan.FromMinutes(5),
            RetryMaxDelay = TimeSpan.FromMinutes(1),
            BreakAfterFailures = 0,
            BreakFor = TimeSpan.FromSeconds(-1),
            Lease = TimeSpan.Zero,
            PollInterval = TimeSpan.Zero,
            OutboxPath = " ",
            InboxRetention = TimeSpan.Zero,
        }.Problems().ShouldBe(
        [
            "Proactive:Dispatch:MaxAttempts must be at least 1",
            "Proactive:Dispatch:RetryFor must be positive",
            "Proactive:Dispatch:RetryMaxDelay must be at least RetryBaseDelay",
            "Proactive:Dispatch:BreakAfterFailures must be at least 1",
            "Proactive:Dispatch:BreakFor must be positive",
            "Proactive:Dispatch:Lease must be positive",
            "Proactive:Dispatch:PollInterval must be positive",
            "Proactive:Dispatch:OutboxPath must not be empty",
            "Proactive:Dispatch:InboxRetention must be positive",
        ]);
        new DispatchOptions { RetryBaseDelay = TimeSpan.Zero }.Problems().ShouldBe(["Proactive:Dispatch:RetryBaseDelay must be positive"]);
    }

    [Fact]
    public void TwilioCredentialsGivenInPartAreRefusedRatherThanSentToTheOutbox()
    {
        new TwilioOptions { AccountSid = "AC1" }.Problems().ShouldBe(
        [
            "Twilio:AuthToken must be set with AccountSid",
            "Twilio:From or Twilio:MessagingServiceSid must be set with the credentials",
        ]);
        new TwilioOptions { AuthToken = "secret", From = "+15005550006" }.Problems().ShouldBe(["Twilio:AccountSid must be set with AuthToken"]);
        new TwilioOptions { AccountSid = "AC1", AuthToken = "secret", MessagingServiceSid = "MG1" }.Problems().ShouldBeEmpty();
        new TwilioOptions { From = "+15005550006" }.Problems().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("api.twilio.com")]
    [InlineData("ftp://api.twilio.com")]
    [InlineData("")]
    public void TwilioNeedsAnAbsoluteHttpBaseUrl(string url) =>
        new TwilioOptions { BaseUrl = url }.Problems().ShouldBe([$"Twilio:BaseUrl '{url}' must be an absolute http(s) URL, e.g. https://api.example.com"]);

    [Fact]
    public void TwilioTimeoutAndRateMustBeUsable()
    {
        new TwilioOptions { Timeout = TimeSpan.Zero, MessagesPerSecond = -1 }.Problems().ShouldBe(
        [
            "Twilio:Timeout must be positive",
            "Twilio:MessagesPerSecond must be 0 (off) or positive",
        ]);
        new TwilioOptions { MessagesPerSecond = double.NaN }.Problems().ShouldBe(["Twilio:MessagesPerSecond must be 0 (off) or positive"]);
        new TwilioOptions { MessagesPerSecond = 0 }.Problems().ShouldBeEmpty();
    }

    [Fact]
    public void SendGridNamesItsKeysAtFault()
    {
        new SendGridOptions { ApiKey = "SG.x" }.Problems().ShouldBe(["SendGrid:From must be set with SendGrid:ApiKey"]);
        new SendGridOptions { ApiKey = "SG.x", From = "notices@shop.example" }.Problems().ShouldBeEmpty();
        new SendGridOptions { Host = "sendgrid", Timeout = TimeSpan.FromSeconds(-1), MessagesPerSecond = double.PositiveInfinity }.Problems().ShouldBe(
        [
            "SendGrid:Host 'sendgrid' must be an absolute http(s) URL, e.g. https://api.example.com",
            "SendGrid:Timeout must be positive",
            "SendGrid:MessagesPerSecond must be 0 (off) or positive",
        ]);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Dispatch;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// Issue 14's event -> provider path with the background loops running, as in production, on the
/// fake clock: a notice due now goes out on the wake-ups alone (the clock never moves, so no poll
/// interval ever elapses), and the dispatcher takes newly decided notices while earlier sends are
/// still in flight — other customers' go at once, and one customer's other channel; one customer's
/// notices on the same channel wait their turn.
/// </summary>
public sealed class DispatchPipelineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static JsonObject Customer(string id, int n)
    {
        var customer = KoreanCustomer();
        customer["customerId"] = id;
        customer["phone"] = $"+82107000{n:D4}";
        customer["email"] = $"pipeline{n}@example.com";
        return customer;
    }

    private static JsonObject[] Slipping(StandaloneHost host, string order, JsonObject customer)
    {
        var now = host.Time.GetUtcNow();
        return
        [
            OrderPlaced(order, now.AddHours(-3), now.AddDays(2), customer),
            ShipmentCreated(order, "S-1", now.AddHours(-2), now.AddDays(1)),
            Tracking(order, "S-1", now.AddHours(-1), "IN_TRANSIT", now.AddDays(4)),
        ];
    }

    private static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Patience);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new ShouldAssertException($"never happened: {what}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    [Fact]
    public async Task ANoticeDueNowIsSentWithoutTheClockMoving()
    {
        await using var host = await StandaloneHost.StartAsync(background: true);
        await host.AcceptAsync(Slipping(host, "PL-1", Customer("C-PL1", 1)));

        await UntilAsync(() => !host.Twilio.Messages.IsEmpty && !host.SendGrid.Mails.IsEmpty, "the SMS and the email reached the providers");
        host.Time.GetUtcNow().ShouldBe(StandaloneHost.Start, "no poll interval (or any time) passed: the commits' wake-ups did it");
        host.Twilio.Messages.Single().To.ShouldBe("+821070000001");
        host.SendGrid.Mails.Single().To.ShouldBe("pipeline1@example.com");
    }

    [Fact]
    public async Task ANoticeDueNowIsClaimedByTheTransactionThatDecidedItNotByAClaimOfItsOwn()
    {
        await using var host = await StandaloneHost.StartAsync(background: true);
        var claimed = new ConcurrentQueue<string>();
        using var listener = ClaimsOf(host, claimed);

        await host.AcceptAsync(Slipping(host, "PL-D1", Customer("C-D1", 4)));

        await UntilAsync(() => !host.Twilio.Messages.IsEmpty && !host.SendGrid.Mails.IsEmpty, "the SMS and the email reached the providers");
        claimed.ToArray().ShouldBe(["decision", "decision"], customMessage: "one commit fewer before the provider call: no claim round took them");
    }

    [Fact]
    public async Task ANoticeComingDueIsSentWhileAHandedOverSendIsStuck()
    {
        var recorder = new StuckSenders(stuckRecipient: "+821070000006");
        await using var host = await StandaloneHost.StartAsync(background: true, services: recorder.Wrap);
        try
        {
            // Customer A's SMS, claimed at its decision, hangs at the provider: the lanes are never empty.
            await host.AcceptAsync(Slipping(host, "PL-S1", Customer("C-S1", 6)));
            await recorder.Stuck.WaitAsync(Patience, TestContext.Current.CancellationToken);

            // A wake-up (any commit's signal) puts the dispatcher in a round while that send is stuck.
            host.Services.GetRequiredService<DispatchSignal>().Notify();

            // Customer B is in London, where it is 01:00: the email goes now, the SMS is held until 08:00.
            var night = Customer("C-S2", 7);
            night["timeZone"] = "Europe/London";
            await host.AcceptAsync(Slipping(host, "PL-S2", night));
            await UntilAsync(() => host.SendGrid.Mails.Any(m => m.To == "pipeline7@example.com"), "customer B's email went now");
            host.Twilio.Messages.ShouldNotContain(m => m.To == "+821070000007", "held for the night");

            // Morning in London: only a claim round can take the held SMS, with A's send still stuck.
            host.Time.Advance(TimeSpan.FromHours(7.5));
            await UntilAsync(() => host.Twilio.Messages.Any(m => m.To == "+821070000007"), "customer B's SMS went out at 08:00 while A's send was still stuck");
        }
        finally
        {
            recorder.Release();
        }
    }

    [Fact]
    public async Task WithoutTheDispatcherRunningTheDecisionClaimsNothing()
    {
        await using var host = await StandaloneHost.StartAsync(background: false);
        var claimed = new ConcurrentQueue<string>();
        using var listener = ClaimsOf(host, claimed);

        await host.AcceptAsync(Slipping(host, "PL-D2", Customer("C-D2", 5)));
        await host.DrainAsync();

        claimed.ToArray().ShouldBe(["round", "round"], customMessage: "the SMS and the email claimed by a round");
        host.Twilio.Messages.Count.ShouldBe(1, "a claim round sent it");
    }

    /// <summary>Who claimed each notice (this host's meter only: tests run side by side).</summary>
    private static MeterListener ClaimsOf(StandaloneHost host, ConcurrentQueue<string> claimed)
    {
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "proactive.notifier.notices.claimed")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var by = tags.ToArray().Single(t => t.Key == "by").Value as string;
            for (var i = 0; i < value; i++)
            {
                claimed.Enqueue(by!);
            }
        });
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task NoticesDecidedWhileASendIsStuckGoOutForOtherCustomersAndChannelsAndWaitTheirTurnOnTheSameOne()
    {
        var recorder = new StuckSenders(stuckRecipient: "+821070000002");
        await using var host = await StandaloneHost.StartAsync(
            background: true,
            settings: [new("Proactive:Dispatch:SendConcurrency", "4")],
            services: recorder.Wrap);
        try
        {
            // Customer A's first SMS hangs at the provider.
            await host.AcceptAsync(Slipping(host, "PL-A1", Customer("C-A", 2)));
            await recorder.Stuck.WaitAsync(Patience, TestContext.Current.CancellationToken);

            // Decided while it hangs: customer B's notices, and a second order of customer A.
            await host.AcceptAsync(Slipping(host, "PL-B1", Customer("C-B", 3)));
            await host.AcceptAsync(Slipping(host, "PL-A2", Customer("C-A", 2)));

            await UntilAsync(
                () => host.Twilio.Messages.Any(m => m.To == "+821070000003") && host.SendGrid.Mails.Any(m => m.To == "pipeline3@example.com"),
                "customer B's SMS and email went out while customer A's first SMS was still in flight");
            await UntilAsync(
                () => host.SendGrid.Mails.Count(m => m.To == "pipeline2@example.com") == 2,
                "customer A's emails did not wait for A's SMS at the provider");
            recorder.CallsFor("+821070000002").ShouldBe(["PL-A1 Sms"], "customer A's next SMS waits behind the one in flight");
            recorder.CallsFor("pipeline2@example.com").ShouldBe(["PL-A1 Email", "PL-A2 Email"]);
        }
        finally
        {
            recorder.Release();
        }

        await UntilAsync(() => host.Twilio.Messages.Count == 3 && host.SendGrid.Mails.Count == 3, "every notice sent once released");
        recorder.CallsFor("+821070000002").ShouldBe(["PL-A1 Sms", "PL-A2 Sms"]);
        recorder.MostAtOnceFor(2, Channel.Sms).ShouldBe(1, "one customer's sends on one channel never overlap");
        recorder.MostAtOnceFor(2, Channel.Email).ShouldBe(1, "one customer's sends on one channel never overlap");
        host.Time.GetUtcNow().ShouldBe(StandaloneHost.Start);
    }

    [Fact]
    public async Task ASurveyEmailWaitsForTheCustomersSmsInFlightAndIsWithdrawnWhenThatSmsFindsTheyRepliedStop()
    {
        // One customer, two orders: PL-R1 told by SMS, PL-R2 by email (so its survey goes by email).
        var recorder = new StuckSenders(stuckRecipient: "+821070000008");
        var settings = InboundMessageTests.Webhooks;
        settings["Proactive:Dispatch:SendConcurrency"] = "4"; // a free slot: only the lanes can hold the survey back
        await using var host = await StandaloneHost.StartAsync(background: true, settings: settings, services: recorder.Wrap);
        var byEmail = Customer("C-R", 8);
        byEmail["channels"] = new JsonArray("EMAIL");
        var bySms = Customer("C-R", 8);
        bySms["channels"] = new JsonArray("SMS");
        try
        {
            await host.AcceptAsync(Slipping(host, "PL-R2", byEmail));
            await UntilAsync(() => host.SendGrid.Mails.Any(m => m.To == "pipeline8@example.com"), "PL-R2's delay told by email");

            // PL-R1's SMS hangs at the provider, which will refuse it: the customer replied STOP.
            await host.AcceptAsync(Slipping(host, "PL-R1", bySms));
            await recorder.Stuck.WaitAsync(Patience, TestContext.Current.CancellationToken);
            host.Twilio.ReplyError(400, 21610, "Attempt to send to unsubscribed recipient");

            // PL-R2 is delivered: its survey is decided and claimed for the email channel, whose lane is free.
            await host.AcceptAsync(Tracking("PL-R2", "S-1", host.Time.GetUtcNow(), "DELIVERED"));
            await UntilAsync(async () => await SurveyStatusAsync(host, "PL-R2") is "sending" or "sent", "the survey was claimed");
        }
        finally
        {
            recorder.Release();
        }

        await UntilAsync(async () => await SurveyStatusAsync(host, "PL-R2") is "suppressed" or "sent", "the survey settled");
        var survey = await SurveyNoticeAsync(host, "PL-R2");
        survey.GetProperty("status").GetString().ShouldBe("suppressed", "the survey waited for the SMS in flight, which found the customer opted out");
        survey.GetProperty("why").GetString()!.ShouldStartWith("withdrawn before sending: no survey");
        recorder.NoticesSentTo("pipeline8@example.com").ShouldNotContain(id => id.Contains("/survey/", StringComparison.Ordinal));

        // The SMS it waited for was PL-R1's, refused because the customer replied STOP.
        host.Twilio.Requests.ShouldBe(1);
        var sms = (await host.NoticesAsync("PL-R1")).EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS");
        sms.GetProperty("providerCode").GetString().ShouldBe("21610");
        sms.GetProperty("why").GetString()!.ShouldContain("opted out of sms");
    }

    private static async Task<string?> SurveyStatusAsync(StandaloneHost host, string order) =>
        await SurveyNoticeAsync(host, order) is { ValueKind: JsonValueKind.Object } survey ? survey.GetProperty("status").GetString() : null;

    private static async Task<JsonElement> SurveyNoticeAsync(StandaloneHost host, string order) =>
        (await host.NoticesAsync(order)).EnumerateArray().FirstOrDefault(n => n.GetProperty("kind").GetString() == "SURVEY");

    /// <summary>Wraps the host's senders: notes every call in order, and holds the first call to one recipient until released.</summary>
    private sealed class StuckSenders(string stuckRecipient)
    {
        private readonly TaskCompletionSource stuck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<(string Recipient, string Call, string NoticeId)> calls = new();
        private readonly ConcurrentDictionary<(int, Channel), int> inFlight = new();
        private readonly ConcurrentDictionary<(int, Channel), int> most = new();
        private int held;

        public Task Stuck => stuck.Task;

        public void Release() => release.TrySetResult();

        public List<string> CallsFor(params string[] recipients) => [.. calls.Where(c => recipients.Contains(c.Recipient)).Select(c => c.Call)];

        /// <summary>The ids of the notices handed to the provider for <paramref name="recipient"/>, in order.</summary>
        public List<string> NoticesSentTo(string recipient) => [.. calls.Where(c => c.Recipient == recipient).Select(c => c.NoticeId)];

        /// <summary>The most calls in flight at once for customer <paramref name="n"/> on <paramref name="channel"/>.</summary>
        public int MostAtOnceFor(int n, Channel channel) => most.GetValueOrDefault((n, channel));

        public void Wrap(IServiceCollection services)
        {
            foreach (var original in services.Where(d => d.ServiceType == typeof(INoticeSender)).ToList())
            {
                services.Remove(original);
                services.AddSingleton<INoticeSender>(sp => new Sender((INoticeSender)original.ImplementationFactory!(sp), this));
            }
        }

        private async Task<SendResult> SendAsync(INoticeSender inner, OutgoingNotice notice, CancellationToken cancellationToken)
        {
            // The customer's number n: "+82107000nnnn" or "pipeline{n}@example.com" (the dispatcher's lane is the customer's on a channel).
            var digits = new string([.. notice.Recipient.Split('@')[0].Where(char.IsAsciiDigit)]);
            var customer = int.Parse(digits[^Math.Min(4, digits.Length)..], System.Globalization.CultureInfo.InvariantCulture);
            calls.Enqueue((notice.Recipient, $"{notice.OrderId} {notice.Channel}", notice.NoticeId));
            var lane = (customer, notice.Channel);
            var now = inFlight.AddOrUpdate(lane, 1, (_, n) => n + 1);
            most.AddOrUpdate(lane, now, (_, n) => Math.Max(n, now));
            try
            {
                if (notice.Recipient == stuckRecipient && Interlocked.Exchange(ref held, 1) == 0)
                {
                    stuck.TrySetResult();
                    await release.Task.WaitAsync(cancellationToken);
                }

                return await inner.SendAsync(notice, cancellationToken);
            }
            finally
            {
                inFlight.AddOrUpdate(lane, 0, (_, n) => n - 1);
            }
        }

        private sealed class Sender(INoticeSender inner, StuckSenders recorder) : INoticeSender
        {
            public Channel Channel => inner.Channel;

            public string Provider => inner.Provider;

            public double MessagesPerSecond => inner.MessagesPerSecond;

            public Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken) => recorder.SendAsync(inner, notice, cancellationToken);
        }
    }
}

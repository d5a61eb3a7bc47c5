using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Predicted lateness through the standalone host's Notifier, its store and the providers: on SQLite.</summary>
public sealed class AtRiskNoticeTestsOnSqlite : AtRiskNoticeTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class AtRiskNoticeTestsOnPostgres : AtRiskNoticeTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// Tracker's PREDICTED_LATE episodes, handed to Notifier as the in-process publisher hands them:
/// the customer hears "may arrive later" once, a confirmed delay that brings nothing new is not
/// told again, and news for the record only reaches no one.
/// </summary>
public abstract class AtRiskNoticeTests : IAsyncLifetime
{
    private const string Order = "P-2001";
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));

    private readonly ConcurrentQueue<(string Channel, string Outcome)> atRisk = new();
    private readonly MeterListener listener = new();
    private StandaloneHost host = null!;

    protected abstract StoreKind Store { get; }

    /// <summary>Listens to this host's own Notifier meter only (tests run in parallel, each with its own meter factory).</summary>
    public async ValueTask InitializeAsync()
    {
        host = await StandaloneHost.StartAsync(store: Store);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "proactive.notifier.at_risk")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            for (var i = 0; i < value; i++)
            {
                atRisk.Enqueue((all["channel"]!, all["outcome"]!));
            }
        });
        listener.Start();
    }

    public async ValueTask DisposeAsync()
    {
        listener.Dispose();
        await host.DisposeAsync();
    }

    private int AtRisk(string outcome, string? channel = null) => atRisk.Count(m => m.Outcome == outcome && (channel is null || m.Channel == channel));

    private static DelayEpisodeChanged Change(long sequence, DelayReason reason, DateTimeOffset? eta, double? probability = null, bool recordOnly = false)
    {
        var change = new DelayEpisodeChanged
        {
            OrderId = Order,
            EpisodeId = $"{Order}/delay-1",
            Sequence = sequence,
            Kind = sequence == 1 ? DelayEpisodeChanged.Types.Kind.Detected : DelayEpisodeChanged.Types.Kind.Worsened,
            Reason = reason,
            PromisedBy = Timestamp.FromDateTimeOffset(Promise),
            EstimatedDeliveryAt = eta is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            OccurredAt = Timestamp.FromDateTimeOffset(Now),
            Customer = new Contracts.Events.V1.Customer
            {
                CustomerId = "C-1",
                Name = "김민지",
                Phone = KoreanPhone,
                Email = KoreanEmail,
                Locale = "ko-KR",
                TimeZone = "Asia/Seoul",
            },
            TrackingUrl = $"https://shop.example/orders/{Order}",
            RecordOnly = recordOnly,
        };
        if (probability is { } p)
        {
            change.PredictedProbability = p;
        }

        return change;
    }

    private async Task HandleAsync(DelayEpisodeChanged change)
    {
        (await host.Services.GetRequiredService<DelayEpisodeHandler>().HandleAsync("proactive-tracker", $"{Order}/{change.Sequence}", change, TestContext.Current.CancellationToken))
            .ShouldBe(NewsOutcome.Decided);
        await host.DrainAsync();
    }

    private async Task<List<System.Text.Json.JsonElement>> NoticesAsync(long sequence) =>
        (await host.NoticesAsync(Order)).EnumerateArray().Where(n => n.GetProperty("sequence").GetInt64() == sequence).ToList();

    [Fact]
    public async Task APredictionIsToldOnceAsAtRiskAndAConfirmedDelayOnlyWhenItSlips()
    {
        // 2026-11-28 12:00 in Seoul.
        var around = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.FromHours(9));
        await HandleAsync(Change(1, DelayReason.PredictedLate, around, 0.82));

        host.Twilio.Messages.ShouldHaveSingleItem().Body
            .ShouldBe($"[Proactive] 주문 {Order} 약속드린 날짜보다 늦게 도착할 수도 있어요. 지금 예상 도착일은 11월 28일(토)쯤이에요. https://shop.example/orders/{Order}");
        host.SendGrid.Mails.ShouldHaveSingleItem().Subject.ShouldBe($"주문 {Order} 배송 지연 가능성 안내");
        var warned = await NoticesAsync(1);
        warned.Count.ShouldBe(2);
        warned.ShouldAllBe(n => n.GetProperty("kind").GetString() == "AT_RISK" && n.GetProperty("reason").GetString() == "PREDICTED_LATE"
            && n.GetProperty("status").GetString() == "sent" && n.GetProperty("predictedProbability").GetDouble() == 0.82);

        // The promise has passed (16:00 in Seoul a day later): the carrier says nothing new, so the customer hears nothing new.
        host.Time.Advance(TimeSpan.FromHours(78));
        await HandleAsync(Change(2, DelayReason.MissedPromise, null));
        host.Twilio.Requests.ShouldBe(1);
        host.SendGrid.Requests.ShouldBe(1);
        var confirmed = await NoticesAsync(2);
        confirmed.Count.ShouldBe(2);
        confirmed.ShouldAllBe(n => n.GetProperty("status").GetString() == "suppressed" && n.GetProperty("reason").GetString() == "MISSED_PROMISE");
        confirmed[0].GetProperty("why").GetString()!.ShouldContain("confirms the at-risk warning already told in notice");
        confirmed.Where(n => n.TryGetProperty("predictedProbability", out var _)).ShouldBeEmpty();

        // Then the carrier's estimate lands a day past the one the warning gave: that is news.
        await HandleAsync(Change(3, DelayReason.EtaSlip, around.AddDays(1)));
        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.Last().Body.ShouldContain("[추가 지연]");
        (await NoticesAsync(3)).ShouldAllBe(n => n.GetProperty("kind").GetString() == "FURTHER_DELAY" && n.GetProperty("status").GetString() == "sent");

        AtRisk("told", "sms").ShouldBe(1);
        AtRisk("told", "email").ShouldBe(1);
        atRisk.Count.ShouldBe(2);
    }

    [Fact]
    public async Task RecordOnlyNewsIsShownButToldToNoOneUntilADelayIsConfirmed()
    {
        await HandleAsync(Change(1, DelayReason.PredictedLate, Promise.AddDays(2), 0.91, recordOnly: true));

        host.Twilio.Requests.ShouldBe(0);
        host.SendGrid.Requests.ShouldBe(0);
        var recorded = await NoticesAsync(1);
        recorded.Count.ShouldBe(2);
        recorded.ShouldAllBe(n => n.GetProperty("kind").GetString() == "AT_RISK" && n.GetProperty("status").GetString() == "suppressed"
            && n.GetProperty("why").GetString() == "prediction mode internal: recorded, the customer is not told"
            && n.GetProperty("predictedProbability").GetDouble() == 0.91);

        host.Time.Advance(TimeSpan.FromHours(78));
        await HandleAsync(Change(2, DelayReason.MissedPromise, null));

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldContain("약속드린 날짜까지 도착하지 못했어요.");
        host.SendGrid.Mails.ShouldHaveSingleItem().Subject.ShouldBe($"주문 {Order} 배송 지연 안내");
        (await NoticesAsync(2)).ShouldAllBe(n => n.GetProperty("kind").GetString() == "DELAY" && n.GetProperty("status").GetString() == "sent");

        AtRisk("record_only", "sms").ShouldBe(1);
        AtRisk("record_only", "email").ShouldBe(1);
        atRisk.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ACustomerWarnedThatTheOrderMayArriveLateHearsWhenItIsBackOnTrack()
    {
        await HandleAsync(Change(1, DelayReason.PredictedLate, Promise.AddDays(2), 0.7));
        host.Time.Advance(TimeSpan.FromHours(5));
        var recovered = Change(2, DelayReason.PredictedLate, Promise.AddHours(-6));
        recovered.Kind = DelayEpisodeChanged.Types.Kind.Resolved;
        recovered.Resolution = Resolution.Recovered;

        await HandleAsync(recovered);

        host.Twilio.Messages.Count.ShouldBe(2);
        host.Twilio.Messages.Last().Body.ShouldContain("좋은 소식");
        (await NoticesAsync(2)).ShouldAllBe(n => n.GetProperty("kind").GetString() == "BACK_ON_TRACK" && n.GetProperty("status").GetString() == "sent");
    }
}

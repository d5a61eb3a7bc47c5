using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier;
using Proactive.Notifier.Channels;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>
/// The dispatcher has up to Proactive:Dispatch:SendConcurrency provider calls in flight, never
/// more, for different customers. (One customer's notices go one after another: see
/// CustomerWishesTests.AStopReportedByTwilioOnOneOrderTurnsTheCustomersOtherHeldSmsIntoEmail.)
/// </summary>
public sealed class ConcurrentSendTests
{
    private static async Task<(int MaxInFlight, int Calls)> SendSixNoticesAsync(int concurrency)
    {
        var counting = new CountingSenders(concurrency);
        await using var host = await StandaloneHost.StartAsync(
            settings: [new("Proactive:Dispatch:SendConcurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            services: counting.Wrap);
        var now = host.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            var order = $"CS-{i}";
            var customer = KoreanCustomer();
            customer["customerId"] = $"C-{i}";
            await host.AcceptAsync(
                OrderPlaced(order, now.AddHours(-3), now.AddDays(2), customer),
                ShipmentCreated(order, "S-1", now.AddHours(-2), now.AddDays(1)),
                Tracking(order, "S-1", now.AddHours(-1), "IN_TRANSIT", now.AddDays(4)));
        }

        await host.DrainAsync();
        host.Twilio.Messages.Count.ShouldBe(3);
        host.SendGrid.Mails.Count.ShouldBe(3);
        return (counting.MaxInFlight, counting.Calls);
    }

    [Fact]
    public async Task NoticesDueTogetherAreSentConcurrently()
    {
        // Each call waits until three are in flight: sent one at a time, they would never get there.
        var (maxInFlight, calls) = await SendSixNoticesAsync(concurrency: 3);
        calls.ShouldBe(6);
        maxInFlight.ShouldBe(3);
    }

    [Fact]
    public async Task NoMoreThanSendConcurrencyCallsAreInFlight()
    {
        var (maxInFlight, calls) = await SendSixNoticesAsync(concurrency: 1);
        calls.ShouldBe(6);
        maxInFlight.ShouldBe(1);
    }

    /// <summary>
    /// Wraps the host's senders: counts the calls in flight, and holds each call until
    /// <c>wanted</c> are in flight at once (or, so a broken dispatcher fails rather than hangs, a while).
    /// </summary>
    private sealed class CountingSenders(int wanted)
    {
        private readonly TaskCompletionSource enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int inFlight;
        private int maxInFlight;
        private int calls;

        public int MaxInFlight => Volatile.Read(ref maxInFlight);

        public int Calls => Volatile.Read(ref calls);

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
            Interlocked.Increment(ref calls);
            var now = Interlocked.Increment(ref inFlight);
            int seen;
            while ((seen = Volatile.Read(ref maxInFlight)) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
            {
            }

            if (now >= wanted)
            {
                enough.TrySetResult();
            }

            try
            {
                await Task.WhenAny(enough.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
                return await inner.SendAsync(notice, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        private sealed class Sender(INoticeSender inner, CountingSenders counting) : INoticeSender
        {
            public Channel Channel => inner.Channel;

            public string Provider => inner.Provider;

            public double MessagesPerSecond => inner.MessagesPerSecond;

            public Task<SendResult> SendAsync(OutgoingNotice notice, CancellationToken cancellationToken) => counting.SendAsync(inner, notice, cancellationToken);
        }
    }
}

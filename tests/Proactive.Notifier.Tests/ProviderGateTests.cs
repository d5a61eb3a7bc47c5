using Proactive.Notifier.Dispatch;

namespace Proactive.Notifier.Tests;

public class ProviderGateTests
{
    private static readonly DateTimeOffset T0 = News.Now;

    [Fact]
    public void TheCircuitOpensAfterTheConfiguredRunOfFailuresAndTakesNothingWhileOpen()
    {
        var gate = new ProviderGate("twilio", 0, breakAfterFailures: 3, breakFor: TimeSpan.FromMinutes(1));

        gate.Failed(T0).ShouldBeFalse();
        gate.Failed(T0).ShouldBeFalse();
        gate.Allowance(T0, 50).ShouldBe(50);
        gate.Failed(T0).ShouldBeTrue();

        gate.State(T0).ShouldBe(CircuitState.Open);
        gate.Allowance(T0.AddSeconds(59), 50).ShouldBe(0);
        gate.ReadyAt(T0).ShouldBe(T0.AddMinutes(1));
    }

    [Fact]
    public void AfterTheBreakOneTrialDecides()
    {
        var gate = new ProviderGate("twilio", 0, breakAfterFailures: 1, breakFor: TimeSpan.FromMinutes(1));
        gate.Failed(T0);

        var later = T0.AddMinutes(1);
        gate.State(later).ShouldBe(CircuitState.HalfOpen);
        gate.Allowance(later, 50).ShouldBe(1);

        // The trial fails: open again for a whole break.
        gate.Failed(later).ShouldBeTrue();
        gate.Allowance(later.AddSeconds(59), 50).ShouldBe(0);

        // The next trial succeeds: closed, everything may go.
        gate.Succeeded();
        gate.State(later.AddMinutes(1)).ShouldBe(CircuitState.Closed);
        gate.Allowance(later.AddMinutes(1), 50).ShouldBe(50);
    }

    [Fact]
    public void ASuccessResetsTheRunOfFailures()
    {
        var gate = new ProviderGate("twilio", 0, breakAfterFailures: 2, breakFor: TimeSpan.FromMinutes(1));

        gate.Failed(T0);
        gate.Succeeded();
        gate.Failed(T0).ShouldBeFalse();
        gate.State(T0).ShouldBe(CircuitState.Closed);
    }

    [Fact]
    public void TheRateLimitAllowsTheConfiguredMessagesPerSecond()
    {
        var gate = new ProviderGate("twilio", 2, breakAfterFailures: 5, breakFor: TimeSpan.FromMinutes(1));

        gate.Allowance(T0, 50).ShouldBe(2);
        gate.Take(T0);
        gate.Take(T0);
        gate.Allowance(T0, 50).ShouldBe(0);
        gate.ReadyAt(T0).ShouldBe(T0.AddSeconds(0.5));
        gate.Allowance(T0.AddSeconds(0.5), 50).ShouldBe(1);

        // Idle time refills up to one second's worth, never more.
        gate.Allowance(T0.AddMinutes(10), 50).ShouldBe(2);
    }

    [Fact]
    public void ASlowSenderStillSendsOneMessageAtATime()
    {
        var gate = new ProviderGate("twilio", 0.5, breakAfterFailures: 5, breakFor: TimeSpan.FromMinutes(1));

        gate.Allowance(T0, 50).ShouldBe(1);
        gate.Take(T0);
        gate.ReadyAt(T0).ShouldBe(T0.AddSeconds(2));
    }

    [Fact]
    public void ATwoSegmentSmsCostsTwoTokens()
    {
        var gate = new ProviderGate("twilio", 2, breakAfterFailures: 5, breakFor: TimeSpan.FromMinutes(1));

        gate.Take(T0, 2);
        gate.ReadyAt(T0).ShouldBe(T0.AddSeconds(0.5));
        gate.Allowance(T0.AddSeconds(0.4), 50).ShouldBe(0);
    }

    [Fact]
    public void AProviderThatAskedToWaitGetsNothingUntilThen()
    {
        var gate = new ProviderGate("sendgrid", 0, breakAfterFailures: 5, breakFor: TimeSpan.FromMinutes(1));

        gate.Pause(T0.AddSeconds(45));

        gate.Allowance(T0.AddSeconds(44), 50).ShouldBe(0);
        gate.ReadyAt(T0).ShouldBe(T0.AddSeconds(45));
        gate.Allowance(T0.AddSeconds(45), 50).ShouldBe(50);
        gate.State(T0).ShouldBe(CircuitState.Closed);
    }
}

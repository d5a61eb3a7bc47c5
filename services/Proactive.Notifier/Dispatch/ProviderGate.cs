namespace Proactive.Notifier.Dispatch;

public enum CircuitState
{
    Closed,

    /// <summary>The break is over: one trial send decides whether the provider is back.</summary>
    HalfOpen,

    Open,
}

/// <summary>
/// How much one provider may be given right now: a circuit breaker (after a run of transient
/// failures the provider is left alone for a while, so an outage does not burn every notice's
/// retries) and a token bucket (at most the sender's messages per second). Time is passed in, so
/// this is a pure state machine; one gate per sender, per process.
/// </summary>
public sealed class ProviderGate(string provider, double messagesPerSecond, int breakAfterFailures, TimeSpan breakFor)
{
    private readonly object sync = new();
    private double tokens = Math.Max(1, messagesPerSecond);
    private DateTimeOffset? refilledAt;
    private int failures;
    private DateTimeOffset? openUntil;
    private DateTimeOffset pausedUntil = DateTimeOffset.MinValue;

    public string Provider => provider;

    public int ConsecutiveFailures
    {
        get
        {
            lock (sync)
            {
                return failures;
            }
        }
    }

    public CircuitState State(DateTimeOffset now)
    {
        lock (sync)
        {
            return openUntil is not { } until ? CircuitState.Closed : now < until ? CircuitState.Open : CircuitState.HalfOpen;
        }
    }

    /// <summary>When the circuit closes to new work (null when it is not open).</summary>
    public DateTimeOffset? OpenUntil(DateTimeOffset now) => State(now) == CircuitState.Open ? openUntil : null;

    /// <summary>How many notices may be handed to the provider now, at most <paramref name="max"/>.</summary>
    public int Allowance(DateTimeOffset now, int max)
    {
        lock (sync)
        {
            Refill(now);
            var byCircuit = State(now) switch
            {
                CircuitState.Closed => max,
                CircuitState.HalfOpen => 1,
                _ => 0,
            };
            var byRate = messagesPerSecond > 0 ? (int)Math.Floor(tokens) : max;
            var byPause = now < pausedUntil ? 0 : max;
            return Math.Max(0, Math.Min(byPause, Math.Min(byCircuit, byRate)));
        }
    }

    /// <summary>The earliest instant <see cref="Allowance"/> can be non-zero (now, if it already is).</summary>
    public DateTimeOffset ReadyAt(DateTimeOffset now)
    {
        lock (sync)
        {
            Refill(now);
            var ready = now;
            if (State(now) == CircuitState.Open)
            {
                ready = openUntil!.Value;
            }

            if (pausedUntil > ready)
            {
                ready = pausedUntil;
            }

            if (messagesPerSecond > 0 && tokens < 1)
            {
                var refill = now + TimeSpan.FromSeconds((1 - tokens) / messagesPerSecond);
                ready = refill > ready ? refill : ready;
            }

            return ready;
        }
    }

    /// <summary>
    /// One message is handed to the provider, costing <paramref name="cost"/> tokens (an SMS costs
    /// its segments, as Twilio counts its MPS). A costly message can leave the bucket in debt: the
    /// next one waits until it is paid off.
    /// </summary>
    public void Take(DateTimeOffset now, double cost = 1)
    {
        lock (sync)
        {
            Refill(now);
            if (messagesPerSecond > 0)
            {
                tokens -= cost;
            }
        }
    }

    /// <summary>The provider asked us to wait (Retry-After, X-RateLimit-Reset): nothing more for it until then.</summary>
    public void Pause(DateTimeOffset until)
    {
        lock (sync)
        {
            if (until > pausedUntil)
            {
                pausedUntil = until;
            }
        }
    }

    /// <summary>The provider answered (sent, or refused for a reason of the recipient's): it is up.</summary>
    public void Succeeded()
    {
        lock (sync)
        {
            failures = 0;
            openUntil = null;
        }
    }

    /// <summary>A transient failure; returns true when it opened the circuit.</summary>
    public bool Failed(DateTimeOffset now)
    {
        lock (sync)
        {
            failures++;
            var trialFailed = openUntil is { } until && now >= until;
            if (trialFailed || failures >= breakAfterFailures)
            {
                openUntil = now + breakFor;
                return true;
            }

            return false;
        }
    }

    private void Refill(DateTimeOffset now)
    {
        if (messagesPerSecond <= 0)
        {
            return;
        }

        if (refilledAt is { } last && now > last)
        {
            tokens = Math.Min(Math.Max(1, messagesPerSecond), tokens + ((now - last).TotalSeconds * messagesPerSecond));
        }

        if (refilledAt is null || now > refilledAt)
        {
            refilledAt = now;
        }
    }
}

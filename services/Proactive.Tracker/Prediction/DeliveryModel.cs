namespace Proactive.Tracker.Prediction;

/// <summary>
/// The delivery-time model of docs/research/prediction.md: decayed per-group histograms of handling and
/// transit durations on the delivery-day clock, joined by shrinkage toward the coarser group, and the
/// conditional P(late) of an open order. It learns only from deliveries; every answer is a function of
/// the learned rows, the order and the given instant.
/// </summary>
public sealed class DeliveryModel
{
    private const double Vanishing = 1e-12;
    private static readonly TimeSpan MinWait = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan HandlingScanStep = TimeSpan.FromHours(6);

    private readonly Dictionary<(HistogramKind Kind, string Group), DecayedHistogram> _groups = [];
    private readonly Dictionary<string, DeliveryClock> _clocks = new(StringComparer.Ordinal);

    // Distributions already built for _distributionsAt (one assessment asks for the same ones many times);
    // dropped when now moves or the model learns.
    private readonly Dictionary<(HistogramKind Kind, string Chain), DurationDistribution?> _distributions = [];
    private DateTimeOffset _distributionsAt;

    public DeliveryModel(PredictionOptions options, IEnumerable<HistogramRow>? rows = null, long learnedDeliveries = 0)
    {
        if (options.Invalid() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(learnedDeliveries);
        Options = options;
        LearnedDeliveries = learnedDeliveries;
        foreach (var row in rows ?? [])
        {
            if (string.IsNullOrEmpty(row.Group))
            {
                throw new ArgumentException("a histogram row has no group", nameof(rows));
            }

            Histogram(row.Kind, row.Group).AddWeight(row.Bin, row.Weight);
        }
    }

    public PredictionOptions Options { get; }

    /// <summary>Deliveries learned so far (raw count, compared with MinSamples).</summary>
    public long LearnedDeliveries { get; private set; }

    public bool IsReady => LearnedDeliveries >= Options.MinSamples;

    /// <summary>The state as rows (kind, group, bin, weight), non-zero bins only, in ordinal order.</summary>
    public IReadOnlyList<HistogramRow> Rows() =>
        [.. _groups
            .OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Group, StringComparer.Ordinal)
            .SelectMany(g => Enumerable.Range(0, g.Value.BinCount + 1)
                .Where(bin => g.Value[bin] != 0)
                .Select(bin => new HistogramRow(g.Key.Kind, g.Key.Group, bin, g.Value[bin])))];

    /// <summary>The histogram of one group, if it has one.</summary>
    public DecayedHistogram? Find(HistogramKind kind, string group) => _groups.GetValueOrDefault((kind, group));

    /// <summary>Learns handling (placed → hand-off) and transit (hand-off → delivered) of a delivered order.
    /// An order without a hand-off teaches nothing; returns whether it was learned.</summary>
    public bool Learn(OrderFacts order, DateTimeOffset deliveredAt)
    {
        if (Lesson(order, deliveredAt) is not { } lesson)
        {
            return false;
        }

        Teach(lesson);
        return true;
    }

    /// <summary>The weights a delivery adds (one row per group it belongs to), without adding them; null
    /// when it teaches nothing (no hand-off). A store persists these rows, then <see cref="Teach"/>.</summary>
    public IReadOnlyList<HistogramRow>? Lesson(OrderFacts order, DateTimeOffset deliveredAt)
    {
        if (order.HandedOverAt is not { } handedOver)
        {
            return null;
        }

        var clock = ClockOf(order.Zone);
        var handling = clock.DaysAt(handedOver) - clock.DaysAt(order.PlacedAt);
        var transit = clock.DaysAt(deliveredAt) - clock.DaysAt(handedOver);
        var weight = DecayedHistogram.WeightAt(deliveredAt, Options.HalfLife);
        var rows = order.HandlingGroups()
            .Select(group => new HistogramRow(HistogramKind.Handling, group, DecayedHistogram.BinOf(handling, Options), weight))
            .ToList();
        var transitGroups = order.TransitGroups().Concat((order with { Carrier = null }).TransitGroups()).Distinct(StringComparer.Ordinal);
        rows.AddRange(transitGroups.Select(group => new HistogramRow(HistogramKind.Transit, group, DecayedHistogram.BinOf(transit, Options), weight)));
        return rows;
    }

    /// <summary>Adds one delivery's <see cref="Lesson"/>.</summary>
    public void Teach(IReadOnlyList<HistogramRow> lesson)
    {
        foreach (var row in lesson)
        {
            Histogram(row.Kind, row.Group).AddWeight(row.Bin, row.Weight);
        }

        _distributions.Clear();
        LearnedDeliveries++;
    }

    /// <summary>The shrunk distribution of a chain of groups (coarse to fine) as of now, or null if none has samples.</summary>
    public DurationDistribution? Distribution(HistogramKind kind, IReadOnlyList<string> chain, DateTimeOffset now)
    {
        if (now != _distributionsAt)
        {
            _distributions.Clear();
            _distributionsAt = now;
        }

        var key = (kind, string.Join('\n', chain));
        if (!_distributions.TryGetValue(key, out var distribution))
        {
            distribution = Shrunk(kind, chain, now);
            _distributions.Add(key, distribution);
        }

        return distribution;
    }

    private DurationDistribution? Shrunk(HistogramKind kind, IReadOnlyList<string> chain, DateTimeOffset now)
    {
        double[]? p = null;
        foreach (var group in chain)
        {
            if (Find(kind, group) is not { } histogram)
            {
                continue;
            }

            var total = histogram.Total;
            var n = histogram.EffectiveCount(now, Options.HalfLife);
            if (total <= 0 || n <= 1e-9)
            {
                continue;
            }

            var shares = histogram.Shares();
            if (p is null)
            {
                p = [.. shares];
            }
            else
            {
                var own = n / (n + Options.Shrinkage);
                for (var k = 0; k < p.Length; k++)
                {
                    p[k] = own * shares[k] + (1 - own) * p[k];
                }
            }
        }

        return p is null ? null : new DurationDistribution(p, Options.BinWidth);
    }

    /// <summary>P(late) of an open order at <paramref name="at"/>, with the model as of <paramref name="now"/>;
    /// null when the model is not ready, the promise has passed or nothing is known.</summary>
    public double? ProbabilityLate(OrderFacts order, DateTimeOffset now, DateTimeOffset at)
    {
        if (!IsReady || at >= order.PromisedBy)
        {
            return null;
        }

        var transit = Distribution(HistogramKind.Transit, order.TransitGroups(), now);
        if (transit is null)
        {
            return null;
        }

        var clock = ClockOf(order.Zone);
        if (order.HandedOverAt is { } handedOver && handedOver <= at)
        {
            var start = clock.DaysAt(handedOver);
            return InTransit(transit, clock.DaysAt(at) - start, clock.DaysAt(order.PromisedBy) - start);
        }

        var placed = clock.DaysAt(order.PlacedAt);
        var elapsed = clock.DaysAt(at) - placed;
        var budget = clock.DaysAt(order.PromisedBy) - placed;
        var handling = Distribution(HistogramKind.Handling, order.HandlingGroups(), now);
        return handling is null ? transit.Survival(budget - elapsed) : BeforeHandOff(handling, transit, elapsed, budget);
    }

    /// <summary>
    /// The rule's assessment at now: P(now), or overnight (from EveningLookAheadFrom until MorningSendAt)
    /// the larger of P(now) and P(next MorningSendAt), since a notice decided overnight waits for the
    /// morning anyway; and when to assess again. Null after the promise.
    /// </summary>
    public LatenessForecast? Assess(OrderFacts order, DateTimeOffset now)
    {
        if (now >= order.PromisedBy)
        {
            return null;
        }

        var cap = Min(now + Options.ReassessAfter, order.PromisedBy);
        var p = Effective(order, now);
        if (p is null)
        {
            return new LatenessForecast(null, false, cap, null);
        }

        var atRisk = p >= Options.Threshold;
        // Never due again at once: a due-queue must move forward.
        var next = atRisk ? cap : Min(Max(NextCrossing(order, now, cap), now + MinWait), cap);
        return new LatenessForecast(p, atRisk, next, ExpectedDelivery(order, now));
    }

    /// <summary>
    /// The first instant after now (to the second) at which P reaches the threshold, moved back to the
    /// evening look-ahead when it falls overnight; <paramref name="cap"/> when it does not happen before it.
    /// </summary>
    public DateTimeOffset NextCrossing(OrderFacts order, DateTimeOffset now, DateTimeOffset cap) =>
        NextCrossing(order, now, cap, Options.Threshold);

    /// <summary><see cref="NextCrossing(OrderFacts, DateTimeOffset, DateTimeOffset)"/> for another threshold (the replay's sweep).</summary>
    public DateTimeOffset NextCrossing(OrderFacts order, DateTimeOffset now, DateTimeOffset cap, double threshold)
    {
        if (Crossing(order, now, cap, threshold) is not { } t || t >= cap)
        {
            return cap;
        }

        // Already in the evening window, P(now) looked at the morning: the crossing itself is next.
        var evening = EveningBefore(order.Zone, t);
        return evening < t && evening > now ? evening : t;
    }

    /// <summary>P as the rule uses it at now (see <see cref="Assess"/>).</summary>
    public double? Effective(OrderFacts order, DateTimeOffset now)
    {
        var p = ProbabilityLate(order, now, now);
        if (p is null)
        {
            return null;
        }

        var clock = ClockOf(order.Zone);
        var local = clock.Local(now);
        var time = TimeOnly.FromDateTime(local);
        if (time >= Options.EveningLookAheadFrom || time < Options.MorningSendAt)
        {
            var date = DateOnly.FromDateTime(local);
            var morning = clock.At(time < Options.MorningSendAt ? date : date.AddDays(1), Options.MorningSendAt);
            if (ProbabilityLate(order, now, morning) is { } later && later > p)
            {
                return later;
            }
        }

        return p;
    }

    /// <summary>The first instant from now (to the second) at which P(late) reaches the threshold: exact in
    /// transit, where P only grows; on a 6-hour grid up to <paramref name="cap"/> before hand-off. Null if none.</summary>
    public DateTimeOffset? Crossing(OrderFacts order, DateTimeOffset now, DateTimeOffset cap, double? threshold = null)
    {
        var level = threshold ?? Options.Threshold;
        return order.HandedOverAt is { } h && h <= now ? TransitCrossing(order, now, h, level) : ScanCrossing(order, now, cap, level);
    }

    private DateTimeOffset? TransitCrossing(OrderFacts order, DateTimeOffset now, DateTimeOffset handedOver, double threshold)
    {
        if (!IsReady || Distribution(HistogramKind.Transit, order.TransitGroups(), now) is not { } transit)
        {
            return null;
        }

        var clock = ClockOf(order.Zone);
        var start = clock.DaysAt(handedOver);
        var beyond = transit.Survival(clock.DaysAt(order.PromisedBy) - start);
        if (beyond <= 0 || transit.DurationAtSurvival(beyond / threshold) is not { } age)
        {
            return null;
        }

        // Whole seconds, then step forward past any rounding of the clock's inverse.
        var t = CeilingToSecond(clock.InstantAt(start + age));
        for (var i = 0; i < 60 && (ProbabilityLate(order, now, t) ?? 1) < threshold; i++)
        {
            t = t.AddSeconds(1);
        }

        return Max(t, now);
    }

    // Before hand-off P is not monotone in time, so look ahead on a coarse grid.
    private DateTimeOffset? ScanCrossing(OrderFacts order, DateTimeOffset now, DateTimeOffset cap, double threshold)
    {
        for (var t = now + HandlingScanStep; t < cap; t += HandlingScanStep)
        {
            if (order.HandedOverAt is { } h && h <= t)
            {
                return null;
            }

            if (ProbabilityLate(order, now, t) >= threshold)
            {
                return t;
            }
        }

        return null;
    }

    private DateTimeOffset? ExpectedDelivery(OrderFacts order, DateTimeOffset now)
    {
        if (order.HandedOverAt is not { } handedOver || handedOver > now
            || Distribution(HistogramKind.Transit, order.TransitGroups(), now) is not { } transit)
        {
            return null;
        }

        var clock = ClockOf(order.Zone);
        var start = clock.DaysAt(handedOver);
        var median = transit.DurationAtSurvival(transit.Survival(clock.DaysAt(now) - start) / 2);
        return median is { } x ? Max(clock.InstantAt(start + x), now) : null;
    }

    /// <summary>P(late) in transit: S_T(budget) / S_T(age).</summary>
    public static double InTransit(DurationDistribution transit, double age, double budget)
    {
        var alive = transit.Survival(age);
        return alive <= Vanishing ? 1 : Math.Min(1, transit.Survival(budget) / alive);
    }

    /// <summary>P(late) before hand-off: the handling left after <paramref name="elapsed"/>, convolved with transit.</summary>
    public static double BeforeHandOff(DurationDistribution handling, DurationDistribution transit, double elapsed, double budget)
    {
        var alive = handling.Survival(elapsed);
        if (alive <= Vanishing)
        {
            return 1;
        }

        var w = handling.BinWidth;
        var first = (int)Math.Floor(Math.Max(elapsed, 0) / w);
        var late = 0.0;
        for (var k = first; k < handling.BinCount; k++)
        {
            double mass, mid;
            if (k == first)
            {
                var part = ((k + 1) * w - elapsed) / w;
                if (part <= 0)
                {
                    continue;
                }

                mass = handling[k] * part;
                mid = (elapsed + (k + 1) * w) / 2;
            }
            else
            {
                mass = handling[k];
                mid = (k + 0.5) * w;
            }

            if (mass > 0)
            {
                late += mass * transit.Survival(budget - mid);
            }
        }

        // Not handed over within the histogram's horizon: late.
        late += handling[handling.BinCount];
        return Math.Min(1, late / alive);
    }

    private DateTimeOffset EveningBefore(TimeZoneInfo zone, DateTimeOffset t)
    {
        var clock = ClockOf(zone);
        var local = clock.Local(t);
        var date = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        if (time < Options.MorningSendAt)
        {
            date = date.AddDays(-1);
        }
        else if (time < Options.EveningLookAheadFrom)
        {
            return t;
        }

        return clock.At(date, Options.EveningLookAheadFrom);
    }

    private DecayedHistogram Histogram(HistogramKind kind, string group)
    {
        if (!_groups.TryGetValue((kind, group), out var histogram))
        {
            histogram = new DecayedHistogram(Options.BinCount);
            _groups.Add((kind, group), histogram);
        }

        return histogram;
    }

    private DeliveryClock ClockOf(TimeZoneInfo zone)
    {
        if (!_clocks.TryGetValue(zone.Id, out var clock))
        {
            clock = new DeliveryClock(zone, Options.DayWeights);
            _clocks.Add(zone.Id, clock);
        }

        return clock;
    }

    private static DateTimeOffset CeilingToSecond(DateTimeOffset t)
    {
        var rest = t.UtcTicks % TimeSpan.TicksPerSecond;
        return rest == 0 ? t : t.AddTicks(TimeSpan.TicksPerSecond - rest);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}

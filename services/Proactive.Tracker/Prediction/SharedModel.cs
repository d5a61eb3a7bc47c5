using Microsoft.Extensions.Options;
using Proactive.Tracker.Store;

namespace Proactive.Tracker.Prediction;

/// <summary>
/// The delivery-time model in memory, kept in step with the store. The store is the truth: each
/// learned delivery adds its rows and bumps the model's version in the order's transaction; once
/// that commits, the same rows go into the cached model. When the stored version is not the cached
/// one (another replica learned, or two commits here finished out of order) the model is read again,
/// at most once per <see cref="PredictionSettings.RefreshInterval"/>. Calls are serialized: the
/// model is not thread-safe and each is short.
/// </summary>
public sealed class SharedModel(IOptions<PredictionSettings> settings)
{
    private readonly Lock gate = new();
    private readonly PredictionOptions options = settings.Value.ToModelOptions();
    private readonly TimeSpan refresh = settings.Value.RefreshInterval;
    private DeliveryModel? model;
    private long cachedVersion = -1;
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;

    /// <summary>Runs <paramref name="use"/> on the model, reading it from the store first when it is
    /// not loaded yet or is behind the store and due for a refresh.</summary>
    public async Task<T> UseAsync<T>(TrackerReads store, DateTimeOffset now, Func<DeliveryModel, T> use)
    {
        var model = await CurrentAsync(store, now);
        lock (gate)
        {
            return use(model);
        }
    }

    /// <summary>Runs <paramref name="use"/> on the model as it is in memory now.</summary>
    public void Use(Action<DeliveryModel> use)
    {
        lock (gate)
        {
            if (model is not null)
            {
                use(model);
            }
        }
    }

    /// <summary>The rows a delivery would add (see <see cref="DeliveryModel.Lesson"/>).</summary>
    public IReadOnlyList<HistogramRow>? Lesson(OrderFacts order, DateTimeOffset deliveredAt)
    {
        lock (gate)
        {
            // Lessons need only the options (bins and weights), not the learned state.
            return (model ??= new DeliveryModel(options)).Lesson(order, deliveredAt);
        }
    }

    /// <summary>A committed lesson that made the stored model <paramref name="version"/>: taught to the
    /// cached model when it is the next one, else left for the next refresh to read.</summary>
    public void Learned(IReadOnlyList<HistogramRow> lesson, long version)
    {
        lock (gate)
        {
            if (model is not null && cachedVersion >= 0 && version == cachedVersion + 1)
            {
                model.Teach(lesson);
                cachedVersion = version;
            }
        }
    }

    private async Task<DeliveryModel> CurrentAsync(TrackerReads store, DateTimeOffset now)
    {
        bool loaded, due;
        lock (gate)
        {
            loaded = cachedVersion >= 0 && model is not null;
            due = !loaded || now - checkedAt >= refresh || now < checkedAt;
            if (!due)
            {
                return model!;
            }
        }

        var stored = await store.ModelVersionAsync();
        lock (gate)
        {
            checkedAt = now;
            if (loaded && stored == cachedVersion)
            {
                return model!;
            }
        }

        var (version, learned, rows) = await store.ModelAsync();
        var fresh = new DeliveryModel(options, rows, learned);
        lock (gate)
        {
            if (version >= cachedVersion)
            {
                model = fresh;
                cachedVersion = version;
            }

            return model!;
        }
    }
}

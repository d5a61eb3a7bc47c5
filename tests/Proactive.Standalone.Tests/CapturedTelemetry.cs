using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Proactive.Standalone.Tests;

/// <summary>Every log line (message, state values, exception) and every span (name, tags, events) the host produces.</summary>
public sealed class CapturedTelemetry : ILoggerProvider
{
    private readonly ActivityListener listener;

    public CapturedTelemetry()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Lines.Add(
                $"span {activity.DisplayName} {string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))} "
                + string.Join(' ', activity.Events.Select(e => $"{e.Name} {string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}"))}"))),
        };
        ActivitySource.AddActivityListener(listener);
    }

    public ConcurrentBag<string> Lines { get; } = [];

    public string All => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => listener.Dispose();

    private sealed class Logger(CapturedTelemetry sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            sink.Lines.Add($"scope {category} {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            sink.Lines.Add($"log {logLevel} {category} {formatter(state, exception)} {values} {exception}");
        }
    }
}

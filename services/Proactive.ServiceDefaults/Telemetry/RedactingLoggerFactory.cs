using Microsoft.Extensions.Logging;

namespace Proactive.ServiceDefaults;

/// <summary>
/// Every logger of the process writes through this factory, which masks phone numbers (E.164) and
/// email addresses in each message, each structured value and each exception message, whatever
/// the call site passed: privacy does not depend on every log statement being careful.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            inner.BeginScope(new RedactedScope<TState>(state));

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var redacted = Redacted.From(state, exception, formatter);
            inner.Log(logLevel, eventId, redacted, exception is null ? null : new RedactedException(exception), static (s, _) => s.Message);
        }
    }

    /// <summary>The state as its providers see it: key/value pairs and the formatted message, masked.</summary>
    private sealed class Redacted(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public static Redacted From<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var pairs = state is IEnumerable<KeyValuePair<string, object?>> kv
                ? kv.Select(p => new KeyValuePair<string, object?>(p.Key, Mask(p.Value))).ToList()
                : [];
            return new Redacted(Redact.ContactDetails(formatter(state, exception)), pairs);
        }

        private static object? Mask(object? value) => value switch
        {
            null => null,
            string s => Redact.ContactDetails(s),
            bool or int or long or double or decimal or DateTimeOffset or DateTime or TimeSpan or Guid or Enum => value,
            _ => Redact.ContactDetails(value.ToString()),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }

    /// <summary>
    /// A scope's state, masked when a provider first reads it (a log line written inside the scope):
    /// every request opens scopes and most log nothing, so most are never formatted at all.
    /// </summary>
    private sealed class RedactedScope<TState>(TState state) : IReadOnlyList<KeyValuePair<string, object?>>
        where TState : notnull
    {
        private Redacted? redacted;

        // Two threads reading it first both compute the same masked copy; either one is kept.
        private Redacted Value => redacted ??= Redacted.From(state, null, static (s, _) => s.ToString() ?? "");

        public int Count => Value.Count;

        public KeyValuePair<string, object?> this[int index] => Value[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Value.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Value.Message;
    }

    /// <summary>An exception whose message and stack text are masked, for providers that print it.</summary>
    private sealed class RedactedException(Exception inner) : Exception(Redact.ContactDetails(inner.Message))
    {
        public override string? StackTrace => inner.StackTrace;

        public override string ToString() => Redact.ContactDetails(inner.ToString());
    }
}

using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Proactive.ServiceDefaults.Configuration;

/// <summary>
/// The checks options share, collecting what fails as "Section:Key must ..." (the key is the
/// expression passed, so call them with the property itself: <c>.Positive(PollInterval)</c>).
/// </summary>
public sealed class OptionProblems(string section) : IEnumerable<string>
{
    private readonly List<string> problems = [];

    /// <summary>Adds "Section:<paramref name="key"/> <paramref name="problem"/>" when <paramref name="fit"/> is false.</summary>
    public OptionProblems Require(bool fit, string key, string problem)
    {
        if (!fit)
        {
            problems.Add($"{section}:{key} {problem}");
        }

        return this;
    }

    public OptionProblems Positive(TimeSpan value, [CallerArgumentExpression(nameof(value))] string key = "") =>
        Require(value > TimeSpan.Zero, key, "must be positive");

    public OptionProblems Positive(long value, [CallerArgumentExpression(nameof(value))] string key = "") =>
        Require(value > 0, key, "must be positive");

    public OptionProblems AtLeast(long value, long least, [CallerArgumentExpression(nameof(value))] string key = "") =>
        Require(value >= least, key, $"must be at least {least.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A wait that must not be shorter than another (a cap above its base).</summary>
    public OptionProblems NotShorter(
        TimeSpan value,
        TimeSpan other,
        [CallerArgumentExpression(nameof(value))] string key = "",
        [CallerArgumentExpression(nameof(other))] string otherKey = "") =>
        Require(value >= other, key, $"must be at least {otherKey}");

    /// <summary>A rate per second where 0 turns the limit off.</summary>
    public OptionProblems RateOrOff(double value, [CallerArgumentExpression(nameof(value))] string key = "") =>
        Require(value >= 0 && double.IsFinite(value), key, "must be 0 (off) or positive");

    /// <summary>An absolute http or https address.</summary>
    public OptionProblems HttpUrl(string? value, [CallerArgumentExpression(nameof(value))] string key = "") =>
        Require(IsHttpUrl(value), key, $"'{value}' must be an absolute http(s) URL, e.g. https://api.example.com");

    public OptionProblems NotEmpty(string? value, [CallerArgumentExpression(nameof(value))] string key = "") =>
        Require(!string.IsNullOrWhiteSpace(value), key, "must not be empty");

    public IEnumerator<string> GetEnumerator() => problems.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

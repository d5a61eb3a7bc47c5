using System.Text;
using Proactive.Tracker.Episodes;
using Proactive.Tracker.Rules;
using Proactive.Tracker.Timeline;

namespace Proactive.Tracker;

/// <summary>The wire names of domain values: UPPER_SNAKE_CASE, as in the event contract.</summary>
public static class Names
{
    public static string Of(DelayReason value) => Snake(value.ToString());

    public static string Of(CarrierExceptionCode value) => Snake(value.ToString());

    public static string Of(Resolution value) => Snake(value.ToString());

    public static string Of(ShipmentStatus value) => Snake(value.ToString());

    /// <summary>"FurtherDelay" → "FURTHER_DELAY".</summary>
    public static string Snake(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(pascal[i]));
        }

        return sb.ToString();
    }
}

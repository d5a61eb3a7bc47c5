using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Proactive.ServiceDefaults.Auth;

namespace Proactive.CxConsole.Pages;

/// <summary>Customer voice (voice:read): topics per day, CSAT by cohort, the newest quotes.</summary>
public sealed class VoiceModel(ConsoleData data) : ConsolePage
{
    public VoiceView? View { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Require(Scopes.VoiceRead) is { } forbidden)
        {
            return forbidden;
        }

        View = await data.VoiceAsync(ct);
        return Page();
    }

    public string TopicsJson() => JsonSerializer.Serialize(new
    {
        labels = View!.Days.Select(d => d.ToString("MM-dd", CultureInfo.InvariantCulture)),
        stacked = true,
        series = View.TopicsPerDay.Select(t => new { label = t.Key, data = t.Value }),
    });

    public string CsatJson(Func<string, string> cohortName) => JsonSerializer.Serialize(new
    {
        labels = View!.Summary.Csat.Select(c => cohortName(c.Cohort)),
        max = 5,
        series = new[] { new { label = "CSAT", data = View.Summary.Csat.Select(c => c.HasMeanScore ? Math.Round(c.MeanScore, 2) : (double?)null) } },
    });
}

using System.Net.Http.Json;
using System.Text.Json;

namespace Proactive.Dapr.Tests;

/// <summary>A Dapr service's own HTTP port: the parked-items API and /healthz.</summary>
internal sealed class ServiceHttp(string httpAddress) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = new Uri(httpAddress) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<List<JsonElement>> ParkedAsync() =>
        (await http.GetFromJsonAsync<JsonElement>("/v1/parked", Ct)).GetProperty("parked").EnumerateArray().ToList();

    public async Task<int> RetryAsync(long? id = null)
    {
        using var response = await http.PostAsync(id is { } one ? $"/v1/parked/{one}:retry" : "/v1/parked:retry", null, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("retried").GetInt32();
    }

    /// <summary>The health status and the queues check's description.</summary>
    public async Task<(string Status, string Queues)> HealthAsync()
    {
        using var response = await http.GetAsync("/healthz", Ct);
        ((int)response.StatusCode).ShouldBe(200);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("status").GetString()!, body.GetProperty("checks").GetProperty("queues").GetProperty("description").GetString()!);
    }

    public void Dispose() => http.Dispose();
}

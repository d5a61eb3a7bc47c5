using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Proactive.Tests.Shared;

/// <summary>
/// A real HTTP server on loopback that speaks a chat incoming webhook (Slack, Google Chat,
/// Mattermost): POST JSON to a secret path, 200 "ok". Keeps every body it accepted; tests script the
/// next answers with <see cref="ReplyStatus"/>. A request to another path is answered 404 as Slack does
/// for a revoked URL.
/// </summary>
public sealed class FakeChatWebhook : IAsyncDisposable
{
    public const string SecretPath = "/services/T000/B000/s3cr3t-token";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<int> script = new();

    private FakeChatWebhook(WebApplication app) => this.app = app;

    /// <summary>The webhook URL to configure (its path is the secret).</summary>
    public string Url { get; private set; } = "";

    /// <summary>The JSON bodies answered 200.</summary>
    public ConcurrentQueue<JsonElement> Accepted { get; } = new();

    /// <summary>Every request, answered 200 or not.</summary>
    public int Requests => requests;

    private int requests;

    public static async Task<FakeChatWebhook> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeChatWebhook(app);
        app.MapPost(SecretPath, fake.PostAsync);
        await app.StartAsync();
        fake.Url = app.Urls.First() + SecretPath;
        return fake;
    }

    /// <summary>The next request gets this HTTP status (and is not accepted).</summary>
    public void ReplyStatus(int status) => script.Enqueue(status);

    private async Task PostAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        if (script.TryDequeue(out var status))
        {
            context.Response.StatusCode = status;
            return;
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("invalid_payload");
            return;
        }

        Accepted.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body));
        await context.Response.WriteAsync("ok");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Proactive.Tests.Shared;

/// <summary>
/// A real HTTP server on loopback that speaks SendGrid's v3 mail/send: Bearer auth, a JSON body
/// with personalizations/from/subject/content, 202 with X-Message-Id, or SendGrid's error body.
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    public const string ApiKey = "SG.test-key.secret";
    public const string From = "notices@shop.example";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<HttpResponse, Task>> script = new();
    private readonly ConcurrentQueue<TaskCompletionSource<SentMail>> waiters = new();
    private int requests;

    private FakeSendGrid(WebApplication app) => this.app = app;

    public string Host { get; private set; } = "";

    public ConcurrentQueue<SentMail> Mails { get; } = new();

    /// <summary>The JSON bodies of accepted requests, as received.</summary>
    public ConcurrentQueue<string> RawBodies { get; } = new();

    public int Requests => requests;

    /// <summary>The configuration that points Proactive's SendGrid sender at this fake.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("SendGrid:ApiKey", ApiKey),
        new("SendGrid:From", From),
        new("SendGrid:FromName", "Proactive Shop"),
        new("SendGrid:Host", Host),
    ];

    public static async Task<FakeSendGrid> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSendGrid(app);
        app.MapPost("/v3/mail/send", fake.Send);
        await app.StartAsync();
        fake.Host = app.Urls.First();
        return fake;
    }

    public void ReplyError(int status, string message, string? field = null, IDictionary<string, string>? headers = null) =>
        script.Enqueue(async response =>
        {
            response.StatusCode = status;
            foreach (var (key, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers[key] = value;
            }

            await response.WriteAsJsonAsync(new { errors = new[] { new { message, field, help = (string?)null } } });
        });

    public Task<SentMail> NextMailAsync()
    {
        var waiter = new TaskCompletionSource<SentMail>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.Enqueue(waiter);
        return waiter.Task;
    }

    private async Task Send(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {ApiKey}")
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "The provided authorization grant is invalid, expired, or revoked", field = (string?)null, help = (string?)null } } });
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        if (script.TryDequeue(out var scripted))
        {
            await scripted(context.Response);
            return;
        }

        if (!root.TryGetProperty("personalizations", out var personalizations) || personalizations.GetArrayLength() == 0
            || !root.TryGetProperty("from", out var fromElement) || !root.TryGetProperty("content", out var contentElement))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "The personalizations, from and content fields are required.", field = "personalizations" } } });
            return;
        }

        // The subject may be global or per personalization (what the SDK's CreateSingleEmail sends).
        if (!personalizations[0].TryGetProperty("subject", out var subjectElement) && !root.TryGetProperty("subject", out subjectElement))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "The subject is required.", field = "subject" } } });
            return;
        }

        var to = personalizations[0].GetProperty("to")[0].GetProperty("email").GetString()!;
        var from = fromElement.GetProperty("email").GetString()!;
        var subject = subjectElement.GetString()!;
        var content = contentElement.EnumerateArray().ToDictionary(c => c.GetProperty("type").GetString()!, c => c.GetProperty("value").GetString()!);
        var mail = new SentMail(to, from, subject, content.GetValueOrDefault("text/plain") ?? "", content.GetValueOrDefault("text/html") ?? "");
        Mails.Enqueue(mail);
        RawBodies.Enqueue(root.GetRawText());
        context.Response.StatusCode = 202;
        context.Response.Headers["X-Message-Id"] = Guid.NewGuid().ToString("N")[..22];
        if (waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult(mail);
        }
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

public sealed record SentMail(string To, string From, string Subject, string Text, string Html);

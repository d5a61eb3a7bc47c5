using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Proactive.Tests.Shared;

/// <summary>
/// A real HTTP server on loopback that speaks SendGrid's v3 mail/send: Bearer auth, a JSON body
/// with personalizations/from/subject/content, 202 with X-Message-Id, or SendGrid's error body.
/// It also plays SendGrid's Signed Event Webhook: events about the mails it accepted (custom args
/// as top-level keys, sg_message_id prefixed by the X-Message-Id), posted as a JSON array signed
/// with its own ECDSA P-256 key (<see cref="PublicKey"/>) over timestamp + body.
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    public const string ApiKey = "SG.test-key.secret";
    public const string From = "notices@shop.example";
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    private readonly ECDsa signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<HttpResponse, Task>> script = new();
    private readonly ConcurrentQueue<TaskCompletionSource<SentMail>> waiters = new();
    private readonly ConcurrentQueue<Func<AcceptedMail, Task>> beforeAnswering = new();
    private int requests;

    private FakeSendGrid(WebApplication app) => this.app = app;

    public string Host { get; private set; } = "";

    public ConcurrentQueue<SentMail> Mails { get; } = new();

    /// <summary>The JSON bodies of accepted requests, as received.</summary>
    public ConcurrentQueue<string> RawBodies { get; } = new();

    public int Requests => requests;

    /// <summary>Each accepted mail's X-Message-Id, recipient and custom args, in order.</summary>
    public ConcurrentQueue<AcceptedMail> Accepted { get; } = new();

    /// <summary>The Event Webhook's verification key as SendGrid's settings page shows it: base64 SubjectPublicKeyInfo.</summary>
    public string PublicKey => Convert.ToBase64String(signingKey.ExportSubjectPublicKeyInfo());

    /// <summary>The configuration that points Proactive's SendGrid sender at this fake, and has it verify the fake's events.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("SendGrid:ApiKey", ApiKey),
        new("SendGrid:From", From),
        new("SendGrid:FromName", "Proactive Shop"),
        new("SendGrid:Host", Host),
        new("Proactive:Webhooks:SendGrid:PublicKey", PublicKey),
    ];

    /// <summary>The accepted mail of a notice (its notice_id custom arg).</summary>
    public AcceptedMail MailOf(string noticeId) => Accepted.Single(m => m.CustomArgs.GetValueOrDefault("notice_id") == noticeId);

    /// <summary>
    /// An event about <paramref name="mail"/> as SendGrid posts it: its custom args as top-level
    /// keys, then the reserved keys (which win), then <paramref name="extra"/> (reason, type, status...).
    /// </summary>
    public static JsonObject Event(AcceptedMail mail, string kind, DateTimeOffset at, string? eventId = null, params (string Key, string Value)[] extra)
    {
        var e = new JsonObject();
        foreach (var (key, value) in mail.CustomArgs)
        {
            e[key] = value;
        }

        e["email"] = mail.To;
        e["timestamp"] = at.ToUnixTimeSeconds();
        e["smtp-id"] = $"<{mail.MessageId}@ismtpd0001p1.sendgrid.net>";
        e["event"] = kind;
        e["sg_event_id"] = eventId ?? Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        e["sg_message_id"] = $"{mail.MessageId}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0";
        foreach (var (key, value) in extra)
        {
            e[key] = value;
        }

        return e;
    }

    /// <summary>The body SendGrid posts: the events as a JSON array, then CR LF.</summary>
    public static byte[] Body(IEnumerable<JsonNode> events) =>
        Encoding.UTF8.GetBytes(new JsonArray(events.Select(e => e.DeepClone()).ToArray()).ToJsonString() + "\r\n");

    /// <summary>Base64 DER ECDSA P-256 / SHA-256 signature of UTF-8(timestamp) ++ body, as SendGrid signs.</summary>
    public static string Sign(ECDsa key, string timestamp, byte[] body) =>
        Convert.ToBase64String(key.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>Signed with this fake's key.</summary>
    public string Sign(string timestamp, byte[] body) => Sign(signingKey, timestamp, body);

    /// <summary>POSTs the events to <paramref name="target"/> as SendGrid would, signed with the timestamp of <paramref name="at"/> (default now).</summary>
    public Task<HttpResponseMessage> PostEventsAsync(HttpClient http, string target, IEnumerable<JsonNode> events, DateTimeOffset? at = null)
    {
        var body = Body(events);
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return PostRawAsync(http, target, body, [(SignatureHeader, Sign(timestamp, body)), (TimestampHeader, timestamp)]);
    }

    /// <summary>POSTs any body with any headers (hostile tests): the content type is JSON unless <paramref name="contentType"/> says otherwise.</summary>
    public static async Task<HttpResponseMessage> PostRawAsync(
        HttpClient http, string target, byte[] body, IEnumerable<(string Name, string Value)> headers, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request);
    }

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

    /// <summary>
    /// The next mail accepted is reported on (events made by <paramref name="events"/>, signed and
    /// posted to <paramref name="target"/> over <paramref name="http"/>) before its 202 is answered,
    /// as SendGrid can; the host's answer is kept.
    /// </summary>
    public Task<HttpResponseMessage> PostEventsBeforeAnswering(HttpClient http, string target, Func<AcceptedMail, IEnumerable<JsonNode>> events, DateTimeOffset at)
    {
        var answered = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        beforeAnswering.Enqueue(async mail =>
        {
            try
            {
                answered.TrySetResult(await PostEventsAsync(http, target, events(mail), at));
            }
            catch (Exception e)
            {
                answered.TrySetException(e);
            }
        });
        return answered.Task;
    }

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
        var messageId = Guid.NewGuid().ToString("N")[..22];
        var accepted = new AcceptedMail(messageId, to, CustomArgs(root, personalizations[0]));
        Accepted.Enqueue(accepted);
        if (beforeAnswering.TryDequeue(out var report))
        {
            await report(accepted);
        }

        Mails.Enqueue(mail);
        RawBodies.Enqueue(root.GetRawText());
        context.Response.StatusCode = 202;
        context.Response.Headers["X-Message-Id"] = messageId;
        if (waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult(mail);
        }
    }

    /// <summary>The mail's custom args: global ones, then the personalization's (which win, as at SendGrid).</summary>
    private static Dictionary<string, string> CustomArgs(JsonElement root, JsonElement personalization)
    {
        var args = new Dictionary<string, string>();
        foreach (var scope in new[] { root, personalization })
        {
            if (scope.TryGetProperty("custom_args", out var custom) && custom.ValueKind == JsonValueKind.Object)
            {
                foreach (var arg in custom.EnumerateObject())
                {
                    args[arg.Name] = arg.Value.GetString() ?? "";
                }
            }
        }

        return args;
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        signingKey.Dispose();
    }
}

public sealed record SentMail(string To, string From, string Subject, string Text, string Html);

/// <summary>A mail SendGrid accepted: the X-Message-Id it answered with, the recipient, the custom args.</summary>
public sealed record AcceptedMail(string MessageId, string To, IReadOnlyDictionary<string, string> CustomArgs);

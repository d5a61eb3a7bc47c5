using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Proactive.Tests.Shared;

/// <summary>
/// A real HTTP server on loopback that speaks Twilio's Create Message API: form POST to
/// /2010-04-01/Accounts/{AccountSid}/Messages.json with basic auth, 201 with the Message resource,
/// or Twilio's error body. Tests script the next answers with <see cref="ReplyError"/> and
/// friends. Like Twilio, it calls back: <see cref="CallBackAsync"/> POSTs a status callback,
/// signed with <see cref="AuthToken"/>, to the StatusCallback URL the message carried.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "test-auth-token";
    public const string From = "+15005550006";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Func<HttpResponse, Task>> script = new();
    private readonly ConcurrentQueue<TaskCompletionSource<TwilioMessage>> waiters = new();
    private readonly ConcurrentQueue<Func<TwilioMessage, Task>> beforeAnswering = new();

    private FakeTwilio(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<TwilioMessage> Messages { get; } = new();

    /// <summary>Every request, answered or not (including scripted failures).</summary>
    public int Requests => requests;

    private int requests;

    /// <summary>The configuration that points Proactive's Twilio sender at this fake.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Twilio:AccountSid", AccountSid),
        new("Twilio:AuthToken", AuthToken),
        new("Twilio:From", From),
        new("Twilio:BaseUrl", BaseUrl),
        new("Twilio:MessagesPerSecond", "1000"),
    ];

    public static async Task<FakeTwilio> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeTwilio(app);
        app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", fake.CreateMessage);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    /// <summary>The next request gets this HTTP status and Twilio error code (and optional Retry-After seconds).</summary>
    public void ReplyError(int status, int code, string message, int? retryAfterSeconds = null) =>
        script.Enqueue(async response =>
        {
            response.StatusCode = status;
            if (retryAfterSeconds is { } seconds)
            {
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await response.WriteAsJsonAsync(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status });
        });

    /// <summary>The next request gets this HTTP status with an empty body (as a proxy in front of Twilio might answer).</summary>
    public void ReplyEmpty(int status) => script.Enqueue(response =>
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    });

    /// <summary>The next request gets no answer until the caller gives up; the task completes when it has arrived.</summary>
    public Task Hang()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        script.Enqueue(async response =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, response.HttpContext.RequestAborted);
        });
        return arrived.Task;
    }

    /// <summary>
    /// The next message accepted is reported on (through <see cref="CallBackAsync"/>, over
    /// <paramref name="http"/>) before its 201 is answered, as Twilio can; the host's answer is kept.
    /// </summary>
    public Task<HttpResponseMessage> CallBackBeforeAnswering(HttpClient http, string status, int? errorCode = null)
    {
        var answered = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        beforeAnswering.Enqueue(async message =>
        {
            try
            {
                answered.TrySetResult(await CallBackAsync(http, message, status, errorCode));
            }
            catch (Exception e)
            {
                answered.TrySetException(e);
            }
        });
        return answered.Task;
    }

    /// <summary>
    /// Twilio's status callback for <paramref name="message"/>: the form Twilio posts, signed with
    /// <see cref="AuthToken"/> for the StatusCallback URL the message carried, posted to that URL
    /// over <paramref name="http"/> (an in-memory host's client reaches a loopback URL too).
    /// </summary>
    public static Task<HttpResponseMessage> CallBackAsync(
        HttpClient http, TwilioMessage message, string status, int? errorCode = null, DateTimeOffset? carrierDoneAt = null, CancellationToken ct = default)
    {
        var url = message.StatusCallback ?? throw new InvalidOperationException($"Message {message.Sid} carried no StatusCallback.");
        return TwilioSigning.PostAsync(http, url, url, StatusForm(message, status, errorCode, carrierDoneAt), AuthToken, ct);
    }

    /// <summary>The form of a status callback, as Twilio sends it.</summary>
    public static List<KeyValuePair<string, string>> StatusForm(TwilioMessage message, string status, int? errorCode = null, DateTimeOffset? carrierDoneAt = null)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("MessageSid", message.Sid),
            new("SmsSid", message.Sid),
            new("MessageStatus", status),
            new("SmsStatus", status),
            new("AccountSid", AccountSid),
            new("From", message.From.Length > 0 ? message.From : From),
            new("To", message.To),
            new("ApiVersion", "2010-04-01"),
        };
        if (message.MessagingServiceSid.Length > 0)
        {
            form.Add(new("MessagingServiceSid", message.MessagingServiceSid));
        }

        if (errorCode is { } code)
        {
            form.Add(new("ErrorCode", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (carrierDoneAt is { } done)
        {
            form.Add(new("RawDlrDoneDate", done.UtcDateTime.ToString("yyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return form;
    }

    public Task<TwilioMessage> NextMessageAsync()
    {
        var waiter = new TaskCompletionSource<TwilioMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.Enqueue(waiter);
        return waiter.Task;
    }

    private async Task CreateMessage(string accountSid, HttpContext context)
    {
        Interlocked.Increment(ref requests);
        var auth = context.Request.Headers.Authorization.ToString();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        if (accountSid != AccountSid || auth != expected)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { code = 20003, message = "Authenticate", more_info = "https://www.twilio.com/docs/errors/20003", status = 401 });
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { code = 20001, message = "Form body expected", status = 400 });
            return;
        }

        var form = await context.Request.ReadFormAsync();
        var message = new TwilioMessage(form["To"].ToString(), form["From"].ToString(), form["MessagingServiceSid"].ToString(), form["Body"].ToString())
        {
            Sid = "SM" + Guid.NewGuid().ToString("N"),
            StatusCallback = form.TryGetValue("StatusCallback", out var callback) ? callback.ToString() : null,
        };
        if (script.TryDequeue(out var scripted))
        {
            await scripted(context.Response);
            return;
        }

        if (message.To.Length == 0 || message.Body.Length == 0 || (message.From.Length == 0 && message.MessagingServiceSid.Length == 0))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { code = 21604, message = "A 'To', 'From' and 'Body' are required.", status = 400 });
            return;
        }

        Messages.Enqueue(message);
        var sid = message.Sid;
        if (beforeAnswering.TryDequeue(out var callBack))
        {
            await callBack(message);
        }

        var now = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        context.Response.StatusCode = (int)HttpStatusCode.Created;
        await context.Response.WriteAsJsonAsync(new
        {
            account_sid = AccountSid,
            api_version = "2010-04-01",
            body = message.Body,
            date_created = now,
            date_sent = (string?)null,
            date_updated = now,
            direction = "outbound-api",
            error_code = (int?)null,
            error_message = (string?)null,
            from = message.From,
            num_media = "0",
            num_segments = "1",
            sid,
            status = "queued",
            to = message.To,
            uri = $"/2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json",
        });
        if (waiters.TryDequeue(out var waiter))
        {
            waiter.TrySetResult(message);
        }
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

public sealed record TwilioMessage(string To, string From, string MessagingServiceSid, string Body)
{
    /// <summary>The sid the fake answered with (also for a scripted failure, which Twilio would not have given).</summary>
    public string Sid { get; init; } = "";

    /// <summary>The StatusCallback URL the request carried; null when none.</summary>
    public string? StatusCallback { get; init; }
}

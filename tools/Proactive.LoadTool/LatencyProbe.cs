using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Proactive.LoadTool;

/// <summary>
/// Event -> provider request latency of the standalone host at a fixed rate (open loop: each event
/// leaves at its scheduled instant whether or not the earlier ones were answered). Plays Twilio and
/// SendGrid on loopback (the host's Twilio:BaseUrl / SendGrid:Host point here) and notes when each
/// customer's SMS and email arrive. First it prepares the orders (placed, shipment created, promise in
/// two days) at the same rate; then, timed, every <c>noticeEvery</c>-th event is a tracking update
/// whose estimate slips past the promise (a delay notice: one SMS, one email) and the rest are ordinary
/// scans of those orders (earlier, on time: they change nothing). Latency = the provider request's
/// arrival - the moment the slipping event was handed to the HTTP client.
/// </summary>
internal static class LatencyProbe
{
    private const string Source = "load-latency";

    /// <summary>
    /// With <paramref name="warmupSeconds"/> &gt; 0 a whole cycle of the same load (its own orders, notices
    /// included) runs first and is reported on stderr only: the host's code paths — the notice's too —
    /// are compiled and its pools filled before the timed cycle, as in a host that has been running.
    /// </summary>
    public static async Task<int> RunAsync(Uri host, int twilioPort, int sendGridPort, double rate, double seconds, int noticeEvery, double drainSeconds, double warmupSeconds = 0)
    {
        var arrivals = new ProviderStandIn();
        await using var providers = await arrivals.StartAsync(twilioPort, sendGridPort);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { Timeout = TimeSpan.FromMinutes(2) };
        await WaitHealthyAsync(http, host);

        var run = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + DateTime.UtcNow.Ticks.ToString("x", CultureInfo.InvariantCulture);
        if (warmupSeconds > 0)
        {
            Console.Error.WriteLine("warm-up " + await CycleAsync(http, host, arrivals, run + "-w", 2, rate, warmupSeconds, noticeEvery, drainSeconds));
        }

        Console.WriteLine(await CycleAsync(http, host, arrivals, run, 1, rate, seconds, noticeEvery, drainSeconds));
        return 0;
    }

    /// <summary>One cycle: prepare the orders, then the timed events; its latency line.</summary>
    private static async Task<string> CycleAsync(HttpClient http, Uri host, ProviderStandIn arrivals, string run, int cycle, double rate, double seconds, int noticeEvery, double drainSeconds)
    {
        var total = (int)(rate * seconds);
        var orders = Math.Max(1, total / noticeEvery);
        var now = DateTimeOffset.UtcNow;
        var model = new Stream(run, cycle, now);

        // Not timed: the orders, at the same rate (this is also the host's warm-up).
        var prepared = new Sender(http, host);
        await prepared.RunAsync(rate, orders * 2, k => k % 2 == 0 ? model.Placed(k / 2) : model.Created(k / 2), notice: null);
        await prepared.DrainAsync();
        if (prepared.Refused > 0)
        {
            Console.Error.WriteLine($"latency: {prepared.Refused} of {orders * 2} preparing events were not accepted");
        }

        var sent = new ConcurrentDictionary<int, long>();
        var timed = new Sender(http, host);
        var random = new Random(7);
        var clock = Stopwatch.StartNew();
        await timed.RunAsync(
            rate,
            total,
            k => k % noticeEvery == 0 && k / noticeEvery < orders ? model.Slip(k / noticeEvery) : model.Scan(random.Next(orders), k),
            k => k % noticeEvery == 0 && k / noticeEvery < orders ? k / noticeEvery : null,
            sent);
        var sending = clock.Elapsed.TotalSeconds;
        await timed.DrainAsync();

        var deadline = Stopwatch.StartNew();
        // This cycle's recipients only (a warm-up's arrivals are in the same dictionaries).
        bool AllArrived() => sent.Keys.All(o => arrivals.Sms.ContainsKey(model.Phone(o)) && arrivals.Email.ContainsKey(model.Email(o)));
        while (!AllArrived() && deadline.Elapsed.TotalSeconds < drainSeconds)
        {
            await Task.Delay(100);
        }

        var sms = Latencies(sent, arrivals.Sms, model.Phone);
        var email = Latencies(sent, arrivals.Email, model.Email);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"latency  rate {rate:F0}/s  sent {timed.Sent} in {sending:F1} s ({timed.Sent / sending:F0}/s, sender behind by at most {timed.MaxLagMs:F0} ms)  not-accepted {timed.Refused}  "
            + $"call p50 {timed.P(.5):F2} ms  p99 {timed.P(.99):F2} ms  notices {sent.Count}  "
            + $"sms p50 {P(sms, .5):F1} ms  p99 {P(sms, .99):F1} ms  max {P(sms, 1):F1} ms  missing {sent.Count - sms.Count}  "
            + $"email p50 {P(email, .5):F1} ms  p99 {P(email, .99):F1} ms  max {P(email, 1):F1} ms  missing {sent.Count - email.Count}");
    }

    private static List<double> Latencies(ConcurrentDictionary<int, long> sent, ConcurrentDictionary<string, long> arrived, Func<int, string> recipient)
    {
        var list = new List<double>();
        foreach (var (order, at) in sent)
        {
            if (arrived.TryGetValue(recipient(order), out var arrival))
            {
                list.Add(Stopwatch.GetElapsedTime(at, arrival).TotalMilliseconds);
            }
        }

        list.Sort();
        return list;
    }

    internal static double P(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];

    private static async Task WaitHealthyAsync(HttpClient http, Uri host)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(host, "/healthz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"{host} did not answer /healthz");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The events of one cycle (its own orders, customers, numbers and addresses): per order i a placed, a shipment created, later a slip; scans in between.</summary>
    private sealed class Stream(string run, int cycle, DateTimeOffset now)
    {
        public string Phone(int i) => $"+821{cycle}{i:D8}";

        public string Email(int i) => $"lat{cycle}-{i}@load.example";

        private string Order(int i) => $"LAT-{run}-{i}";

        private static string Ts(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);

        public (string Topic, string Body) Placed(int i) => ("orders", LoadEvents.Structured(
            $"{Order(i)}-placed", Source, "proactive.order.placed.v1",
            $"{{\"orderId\":\"{Order(i)}\",\"occurredAt\":\"{Ts(now.AddHours(-3))}\",\"promisedBy\":\"{Ts(now.AddDays(2))}\",\"customer\":{{\"customerId\":\"L{cycle}-{i}\",\"phone\":\"{Phone(i)}\",\"email\":\"{Email(i)}\",\"locale\":\"ko-KR\",\"timeZone\":\"Asia/Seoul\"}}}}"));

        public (string Topic, string Body) Created(int i) => ("shipments", LoadEvents.Structured(
            $"{Order(i)}-created", Source, "proactive.shipment.created.v1",
            $"{{\"shipmentId\":\"S-1\",\"orderId\":\"{Order(i)}\",\"occurredAt\":\"{Ts(now.AddHours(-2))}\",\"carrier\":\"CJ Logistics\",\"trackingNumber\":\"5512-3344-9988\",\"estimatedDeliveryAt\":\"{Ts(now.AddDays(1))}\"}}"));

        /// <summary>An ordinary scan: in transit, on time, older than the slip (so it never hides it).</summary>
        public (string Topic, string Body) Scan(int i, int k) => ("shipments", LoadEvents.Structured(
            $"{Order(i)}-scan-{k}", Source, "proactive.shipment.tracking.v1",
            $"{{\"shipmentId\":\"S-1\",\"orderId\":\"{Order(i)}\",\"occurredAt\":\"{Ts(now.AddHours(-2).AddSeconds(1 + (k % 3000)))}\",\"status\":\"IN_TRANSIT\",\"location\":\"Daejeon Hub\",\"estimatedDeliveryAt\":\"{Ts(now.AddDays(1))}\"}}"));

        /// <summary>The estimate slips two days past the promise: a delay episode, one SMS and one email.</summary>
        public (string Topic, string Body) Slip(int i) => ("shipments", LoadEvents.Structured(
            $"{Order(i)}-slip", Source, "proactive.shipment.tracking.v1",
            $"{{\"shipmentId\":\"S-1\",\"orderId\":\"{Order(i)}\",\"occurredAt\":\"{Ts(now.AddHours(-1))}\",\"status\":\"IN_TRANSIT\",\"location\":\"Daejeon Hub\",\"estimatedDeliveryAt\":\"{Ts(now.AddDays(4))}\"}}"));
    }

    /// <summary>Sends events at a fixed rate without waiting for answers; notes each call's time and the send instant of the notices.</summary>
    private sealed class Sender(HttpClient http, Uri host)
    {
        private readonly ConcurrentBag<Task> inFlight = [];
        private readonly ConcurrentBag<double> calls = [];
        private List<double>? sorted;
        private long refused;

        public long Refused => Interlocked.Read(ref refused);

        public int Sent { get; private set; }

        public double MaxLagMs { get; private set; }

        public async Task RunAsync(double rate, int count, Func<int, (string Topic, string Body)> next, Func<int, int?>? notice, ConcurrentDictionary<int, long>? sent = null)
        {
            var start = Stopwatch.GetTimestamp();
            var k = 0;
            while (k < count)
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var due = Math.Min(count, (int)(elapsed * rate) + 1);
                MaxLagMs = Math.Max(MaxLagMs, (elapsed - (k / rate)) * 1000);
                for (; k < due; k++)
                {
                    var (topic, body) = next(k);
                    var order = notice?.Invoke(k);
                    inFlight.Add(SendAsync(topic, body, order, sent));
                }

                await Task.Delay(1);
            }

            Sent = count;
        }

        private async Task SendAsync(string topic, string body, int? notice, ConcurrentDictionary<int, long>? sent)
        {
            var at = Stopwatch.GetTimestamp();
            if (notice is { } order)
            {
                sent![order] = at;
            }

            try
            {
                var (code, _) = await HttpIngest.PostAsync(http, new Uri(host, $"/v1/events/{topic}"), HttpIngest.Single, body);
                if (code != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref refused);
                    if (notice is { } n)
                    {
                        sent!.TryRemove(n, out _);
                    }
                }
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref refused);
            }

            calls.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
        }

        public async Task DrainAsync()
        {
            await Task.WhenAll(inFlight);
            sorted = [.. calls.Order()];
        }

        public double P(double q) => LatencyProbe.P(sorted ?? [], q);
    }

    /// <summary>Twilio's Create Message and SendGrid's mail/send on loopback, answering at once; notes each recipient's first arrival.</summary>
    private sealed class ProviderStandIn
    {
        public ConcurrentDictionary<string, long> Sms { get; } = new();

        public ConcurrentDictionary<string, long> Email { get; } = new();

        public async Task<WebApplication> StartAsync(int twilioPort, int sendGridPort)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, twilioPort);
                k.Listen(IPAddress.Loopback, sendGridPort);
            });
            var app = builder.Build();
            // A stand-in that fails says why on stderr (once per kind): the host sees only a 500.
            var reported = new ConcurrentDictionary<string, bool>();
            app.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (Exception e) when (reported.TryAdd(e.GetType().Name + e.Message, true))
                {
                    Console.Error.WriteLine($"provider stand-in {context.Request.Path}: {e.GetType().Name}: {e.Message}");
                    throw;
                }
            });
            app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", async (string accountSid, HttpContext context) =>
            {
                var at = Stopwatch.GetTimestamp();
                var form = await context.Request.ReadFormAsync();
                var to = form["To"].ToString();
                Sms.TryAdd(to, at);
                var sid = "SM" + Guid.NewGuid().ToString("N");
                var date = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
                return Results.Json(
                    new
                    {
                        account_sid = accountSid,
                        api_version = "2010-04-01",
                        body = "",
                        date_created = date,
                        date_sent = (string?)null,
                        date_updated = date,
                        direction = "outbound-api",
                        error_code = (int?)null,
                        error_message = (string?)null,
                        from = form["From"].ToString(),
                        num_media = "0",
                        num_segments = "1",
                        sid,
                        status = "queued",
                        to,
                        uri = $"/2010-04-01/Accounts/{accountSid}/Messages/{sid}.json",
                    },
                    statusCode: StatusCodes.Status201Created);
            });
            app.MapPost("/v3/mail/send", async (HttpContext context) =>
            {
                var at = Stopwatch.GetTimestamp();
                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                var to = body.RootElement.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString() ?? "";
                Email.TryAdd(to, at);
                context.Response.Headers["X-Message-Id"] = Guid.NewGuid().ToString("N")[..22];
                return Results.StatusCode(StatusCodes.Status202Accepted);
            });
            await app.StartAsync();
            return app;
        }
    }
}

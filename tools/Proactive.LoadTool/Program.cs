// Load for an AppCallback endpoint: sends contract CloudEvents as daprd would (single or bulk) and reports
// events/s and latency percentiles. With --serve-ack it instead runs a bare ack-only AppCallback (the ceiling).
// Usage: dotnet AppCallbackLoad.dll --port P [--bulk 100] [--concurrency 16] [--seconds 10] [--topic shipments]
//        dotnet AppCallbackLoad.dll --serve-ack P
// The same events to the standalone HTTP ingest (one CloudEvent per POST, or --batch N per
// application/cloudevents-batch+json POST; acked = entries the answer counts as accepted):
//        dotnet AppCallbackLoad.dll --http http://127.0.0.1:P/v1/events/orders [--batch 100] [--concurrency 16] [--seconds 10]
// Event -> provider request latency of the standalone host at a fixed rate (LatencyProbe.cs):
//        dotnet AppCallbackLoad.dll --latency http://127.0.0.1:P --twilio-port T --sendgrid-port S [--rate 1000] [--seconds 20] [--notice-every 10] [--warmup 0]
using System.Diagnostics;
using System.Net;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Proactive.LoadTool;

string Get(string k, string d) { var i = Array.IndexOf(args, k); return i >= 0 && i + 1 < args.Length ? args[i + 1] : d; }

if (args.Contains("--serve-ack"))
{
    var b = WebApplication.CreateSlimBuilder();
    b.Logging.ClearProviders();
    b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, int.Parse(Get("--serve-ack", "0")), o => o.Protocols = HttpProtocols.Http2));
    b.Services.AddGrpc();
    var app = b.Build();
    app.MapGrpcService<Ack>();
    await app.RunAsync();
    return 0;
}

if (args.Contains("--latency"))
{
    return await LatencyProbe.RunAsync(new Uri(Get("--latency", "")), int.Parse(Get("--twilio-port", "0")), int.Parse(Get("--sendgrid-port", "0")),
        double.Parse(Get("--rate", "1000")), double.Parse(Get("--seconds", "20")), int.Parse(Get("--notice-every", "10")), double.Parse(Get("--drain", "30")), double.Parse(Get("--warmup", "0")));
}

var port = int.Parse(Get("--port", "0"));
var bulk = int.Parse(Get("--bulk", "0"));
var conc = int.Parse(Get("--concurrency", "16"));
var seconds = double.Parse(Get("--seconds", "10"));
var topic = Get("--topic", "orders");
var token = Get("--token", "");
var http = Get("--http", "");
var batch = int.Parse(Get("--batch", "0"));
using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
var invoker = channel.CreateCallInvoker();
static Method<TReq, TResp> M<TReq, TResp>(string s, string n) where TReq : class, IMessage<TReq>, new() where TResp : class, IMessage<TResp>, new()
    => new(MethodType.Unary, s, n, Marshallers.Create<TReq>(m => m.ToByteArray(), b => new MessageParser<TReq>(() => new TReq()).ParseFrom(b)),
        Marshallers.Create<TResp>(m => m.ToByteArray(), b => new MessageParser<TResp>(() => new TResp()).ParseFrom(b)));
var one = M<TopicEventRequest, TopicEventResponse>("dapr.proto.runtime.v1.AppCallback", "OnTopicEvent");
var many = M<TopicEventBulkRequest, TopicEventBulkResponse>("dapr.proto.runtime.v1.AppCallback", "OnBulkTopicEvent");
var headers = new Metadata { { "pubsubname", "pubsub" } };
if (token != "") headers.Add("dapr-api-token", token);
using var web = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = conc }) { Timeout = TimeSpan.FromMinutes(2) };

long seq = 0, events = 0, failed = 0;
var lat = new List<double>();
TopicEventRequest Event()
{
    var n = Interlocked.Increment(ref seq);
    var id = $"LOAD-{Environment.ProcessId}-{n}";
    return new TopicEventRequest { Id = Guid.NewGuid().ToString(), Source = "load", Type = "proactive.order.placed.v1", SpecVersion = "1.0", DataContentType = "application/json", Topic = topic, PubsubName = "pubsub", Data = ByteString.CopyFromUtf8(LoadEvents.OrderPlacedData(id, n, DateTimeOffset.UtcNow)) };
}
var end = Stopwatch.StartNew();
var workers = Enumerable.Range(0, conc).Select(async _ =>
{
    var mine = new List<double>();
    while (end.Elapsed.TotalSeconds < seconds)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            if (http != "")
            {
                var (acked, sent) = await HttpIngest.PostAsync(web, new Uri(http), batch, Event);
                Interlocked.Add(ref events, acked);
                Interlocked.Add(ref failed, sent - acked);
            }
            else if (bulk > 0)
            {
                var req = new TopicEventBulkRequest { Id = Guid.NewGuid().ToString(), Topic = topic, PubsubName = "pubsub", Type = "com.dapr.event.sent.bulk" };
                for (var i = 0; i < bulk; i++)
                {
                    var e = Event();
                    req.Entries.Add(new TopicEventBulkRequestEntry { EntryId = e.Id, ContentType = "application/cloudevents+json", CloudEvent = new TopicEventCERequest { Id = e.Id, Source = e.Source, Type = e.Type, SpecVersion = "1.0", DataContentType = e.DataContentType, Data = e.Data } });
                }
                var r = await invoker.AsyncUnaryCall(many, null, new CallOptions(headers), req);
                Interlocked.Add(ref events, r.Statuses.Count(s => s.Status == TopicEventResponse.Types.TopicEventResponseStatus.Success));
                Interlocked.Add(ref failed, r.Statuses.Count(s => s.Status != TopicEventResponse.Types.TopicEventResponseStatus.Success) + bulk - r.Statuses.Count);
            }
            else
            {
                var r = await invoker.AsyncUnaryCall(one, null, new CallOptions(headers), Event());
                if (r.Status == TopicEventResponse.Types.TopicEventResponseStatus.Success) Interlocked.Increment(ref events); else Interlocked.Increment(ref failed);
            }
        }
        catch (RpcException) { Interlocked.Add(ref failed, Math.Max(1, bulk)); }
        catch (HttpRequestException) { Interlocked.Add(ref failed, Math.Max(1, batch)); }
        mine.Add(sw.Elapsed.TotalMilliseconds);
    }
    lock (lat) lat.AddRange(mine);
}).ToArray();
await Task.WhenAll(workers);
var secs = end.Elapsed.TotalSeconds;
lat.Sort();
double P(double q) => lat.Count == 0 ? 0 : lat[Math.Min(lat.Count - 1, (int)(lat.Count * q))];
var mode = http != "" ? $"http batch {batch}" : $"bulk {bulk}";
Console.WriteLine($"events/s {events / secs:F0}  acked {events}  not-acked {failed}  calls {lat.Count}  call p50 {P(.5):F2} ms  p99 {P(.99):F2} ms  ({mode}, concurrency {conc}, {secs:F1} s)");
return 0;

internal sealed class Ack : AppCallback.AppCallbackBase
{
    private static readonly TopicEventResponse Ok = new();

    public override Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context) => Task.FromResult(Ok);

    public override Task<TopicEventBulkResponse> OnBulkTopicEvent(TopicEventBulkRequest request, ServerCallContext context)
    {
        var r = new TopicEventBulkResponse();
        foreach (var e in request.Entries) r.Statuses.Add(new TopicEventBulkResponseEntry { EntryId = e.EntryId });
        return Task.FromResult(r);
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using Dapr.Client.Autogen.Grpc.v1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Proactive.Dapr.Tests;

/// <summary>
/// The sidecar's side of publishing: a real HTTP/2 (h2c) server on loopback answering the gRPC
/// call dapr.proto.runtime.v1.Dapr/PublishEvent that DaprClient makes on DAPR_GRPC_ENDPOINT.
/// Dapr.Protos ships only the client stub of the Dapr API, so the gRPC framing is done here:
/// a 5-byte prefix (compressed flag, big-endian length) before the message, grpc-status in trailers.
/// </summary>
public sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeSidecar(WebApplication app) => this.app = app;

    public string Endpoint { get; private set; } = "";

    /// <summary>Each publish with the request headers it came with (traceparent, dapr-api-token).</summary>
    public ConcurrentQueue<(PublishEventRequest Request, IHeaderDictionary Headers)> Published { get; } = new();

    public static async Task<FakeSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sidecar = new FakeSidecar(app);
        app.MapPost("/dapr.proto.runtime.v1.Dapr/PublishEvent", sidecar.PublishEvent);
        app.MapPost("/dapr.proto.runtime.v1.Dapr/GetBulkSecret", sidecar.GetBulkSecret);
        app.MapPost("/dapr.proto.runtime.v1.Dapr/GetSecret", sidecar.GetSecret);
        await app.StartAsync();
        sidecar.Endpoint = app.Urls.First();
        return sidecar;
    }

    /// <summary>Secret stores the sidecar serves: store name, then key and value.</summary>
    public ConcurrentDictionary<string, Dictionary<string, string>> SecretStores { get; } = new();

    private async Task PublishEvent(HttpContext context)
    {
        var request = PublishEventRequest.Parser.ParseFrom(await ReadMessageAsync(context));
        Published.Enqueue((request, new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value))));
        await WriteMessageAsync(context, new Google.Protobuf.WellKnownTypes.Empty());
    }

    private async Task GetBulkSecret(HttpContext context)
    {
        var request = GetBulkSecretRequest.Parser.ParseFrom(await ReadMessageAsync(context));
        if (!SecretStores.TryGetValue(request.StoreName, out var secrets))
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "3");
            context.Response.AppendTrailer("grpc-message", "secret store not found");
            return;
        }

        var response = new GetBulkSecretResponse();
        foreach (var (key, value) in secrets)
        {
            var single = new SecretResponse();
            single.Secrets[key] = value;
            response.Data[key] = single;
        }

        await WriteMessageAsync(context, response);
    }

    /// <summary>One named secret of a store: "store/name" and its key/value pairs.</summary>
    public ConcurrentDictionary<string, Dictionary<string, string>> Secrets { get; } = new();

    private async Task GetSecret(HttpContext context)
    {
        var request = GetSecretRequest.Parser.ParseFrom(await ReadMessageAsync(context));
        if (!Secrets.TryGetValue($"{request.StoreName}/{request.Key}", out var secret))
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "5");
            return;
        }

        var response = new GetSecretResponse();
        response.Data.Add(secret);
        await WriteMessageAsync(context, response);
    }

    private static async Task<byte[]> ReadMessageAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var frame = body.ToArray();
        var length = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1, 4));
        return frame.AsSpan(5, length).ToArray();
    }

    private static async Task WriteMessageAsync(HttpContext context, Google.Protobuf.IMessage message)
    {
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var frame = new byte[5 + bytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1, 4), bytes.Length);
        bytes.CopyTo(frame, 5);
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(frame);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

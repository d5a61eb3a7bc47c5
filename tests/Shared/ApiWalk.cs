using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Proactive.Tests.Shared;

/// <summary>What walking every mapped endpoint without credentials found.</summary>
/// <param name="Exempt">Routes open by design (AllowAnonymous).</param>
/// <param name="Refused">"METHOD route" answered 401 as problem details with WWW-Authenticate, or gRPC Unauthenticated.</param>
/// <param name="Open">"METHOD route → what it answered" for anything else: an unprotected endpoint.</param>
/// <summary>Exempt: open by design; Refused: 401 with a challenge; Open: answered anyway (a hole); SignIn: a console page that sent the caller to sign in.</summary>
public sealed record ApiWalkResult(ISet<string> Exempt, IReadOnlyList<string> Refused, IReadOnlyList<string> Open, IReadOnlyList<string> SignIn);

/// <summary>
/// Calls every endpoint the host maps (read from its endpoint data source, so one added later is
/// walked too) without credentials: HTTP routes through <c>http</c>, native gRPC methods through <c>grpc</c>.
/// </summary>
public static partial class ApiWalk
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task<ApiWalkResult> WithoutCredentialsAsync(IServiceProvider services, HttpClient http, CallInvoker grpc, CancellationToken ct)
    {
        var exempt = new SortedSet<string>(StringComparer.Ordinal);
        var refused = new List<string>();
        var open = new List<string>();
        var signIn = new List<string>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                exempt.Add(route);
                continue;
            }

            var path = Parameter().Replace(route, "1");
            if (endpoint.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not null && endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is null)
            {
                var (service, method) = (path.Split('/')[1], path.Split('/')[2]);
                try
                {
                    await grpc.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service, method, Bytes, Bytes), null, new CallOptions(cancellationToken: ct), []);
                    open.Add($"gRPC {route} → OK");
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
                {
                    refused.Add($"gRPC {route}");
                }
                catch (RpcException e)
                {
                    open.Add($"gRPC {route} → {e.StatusCode}");
                }

                continue;
            }

            foreach (var verb in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get])
            {
                using var request = new HttpRequestMessage(new HttpMethod(verb), path);
                if (verb is "POST" or "PATCH" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request, ct);

                // A console page: without a session it sends the browser to the sign-in page (302, which the client may have followed).
                var landed = response.StatusCode == HttpStatusCode.Redirect ? response.Headers.Location?.AbsolutePath ?? response.Headers.Location?.OriginalString : response.RequestMessage?.RequestUri?.AbsolutePath;
                if (route.StartsWith("/console/", StringComparison.Ordinal) || route == "/console")
                {
                    if (landed?.StartsWith("/console/sign-in", StringComparison.Ordinal) == true && !route.StartsWith("/console/sign-in", StringComparison.Ordinal))
                    {
                        signIn.Add($"{verb} {route}");
                    }
                    else
                    {
                        open.Add($"{verb} {route} → {(int)response.StatusCode} {landed}");
                    }

                    continue;
                }

                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                if (response.StatusCode == HttpStatusCode.Unauthorized && problem && response.Headers.WwwAuthenticate.Count > 0)
                {
                    refused.Add($"{verb} {route}");
                }
                else
                {
                    open.Add($"{verb} {route} → {(int)response.StatusCode} {response.Content.Headers.ContentType} {response.Headers.WwwAuthenticate}");
                }
            }
        }

        return new ApiWalkResult(exempt, refused, open, signIn);
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}

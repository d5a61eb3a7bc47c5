using System.Globalization;
using System.Text;
using Dapr.AppCallback.Autogen.Grpc.v1;

namespace Proactive.LoadTool;

/// <summary>The events the load sends: what the judge's tool sends, and the same as structured CloudEvent JSON for HTTP.</summary>
internal static class LoadEvents
{
    private const string Zone = "Asia/Seoul";

    /// <summary>An order.placed for a new order, promised in three days (no episode: the intake path alone).</summary>
    public static string OrderPlacedData(string orderId, long n, DateTimeOffset now) => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"orderId\":\"{orderId}\",\"occurredAt\":\"{now:O}\",\"promisedBy\":\"{now.AddDays(3):O}\",\"customer\":{{\"customerId\":\"C-{n}\",\"phone\":\"+8210{n % 100000000:D8}\",\"email\":\"c{n}@load.example\",\"locale\":\"ko-KR\",\"timeZone\":\"{Zone}\"}}}}");

    /// <summary>The gRPC event as a structured CloudEvent (application/cloudevents+json); its data is already JSON.</summary>
    public static string Structured(TopicEventRequest e) => Structured(e.Id, e.Source, e.Type, e.Data.ToStringUtf8());

    public static string Structured(string id, string source, string type, string data) =>
        $"{{\"specversion\":\"1.0\",\"id\":\"{id}\",\"source\":\"{source}\",\"type\":\"{type}\",\"datacontenttype\":\"application/json\",\"data\":{data}}}";

    public static string Batch(IEnumerable<string> structured)
    {
        var body = new StringBuilder("[");
        foreach (var e in structured)
        {
            if (body.Length > 1)
            {
                body.Append(',');
            }

            body.Append(e);
        }

        return body.Append(']').ToString();
    }
}

using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Configuration;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// When Proactive:Dapr:SecretStore names a Dapr secret store, its secrets become configuration
/// ("Twilio:AuthToken", or "Twilio--AuthToken" where ':' is not allowed), read once at start
/// through the sidecar. The sidecar may start a moment after the app, so the read is retried for
/// Proactive:Dapr:SecretStoreWait (default 30 s) before start-up fails.
/// </summary>
internal sealed class DaprSecretsConfigurationSource(string store, Func<DaprClient> client, TimeSpan wait) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(store, client, wait);

    private sealed class Provider(string store, Func<DaprClient> client, TimeSpan wait) : ConfigurationProvider
    {
        public override void Load()
        {
            using var dapr = client();
            var deadline = DateTime.UtcNow + wait;
            while (true)
            {
                try
                {
                    var secrets = dapr.GetBulkSecretAsync(store).GetAwaiter().GetResult();
                    Data = secrets
                        .SelectMany(s => s.Value)
                        .ToDictionary(kv => kv.Key.Replace("--", ":", StringComparison.Ordinal), kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);
                    return;
                }
                catch (DaprException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(500));
                }
                catch (DaprException e)
                {
                    throw new InvalidOperationException($"Could not read secret store '{store}' through the Dapr sidecar", e);
                }
            }
        }
    }
}

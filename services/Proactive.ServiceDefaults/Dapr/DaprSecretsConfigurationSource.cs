using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Configuration;

namespace Proactive.ServiceDefaults.Dapr;

/// <summary>
/// When Proactive:Dapr:SecretStore names a Dapr secret store, secrets become configuration
/// ("Twilio:AuthToken", or "Twilio--AuthToken" where ':' is not allowed, as in Kubernetes), read
/// once at start through the sidecar: every secret of the store, or only the keys of the one
/// secret Proactive:Dapr:SecretName names (what a Kubernetes store should use). The sidecar may
/// start a moment after the app, so the read is retried for Proactive:Dapr:SecretStoreWait
/// (default 30 s) before start-up fails.
/// </summary>
internal sealed class DaprSecretsConfigurationSource(string store, string? secretName, Func<DaprClient> client, TimeSpan wait) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(store, secretName, client, wait);

    private sealed class Provider(string store, string? secretName, Func<DaprClient> client, TimeSpan wait) : ConfigurationProvider
    {
        public override void Load()
        {
            using var dapr = client();
            var deadline = DateTime.UtcNow + wait;
            while (true)
            {
                try
                {
                    var values = string.IsNullOrEmpty(secretName)
                        ? dapr.GetBulkSecretAsync(store).GetAwaiter().GetResult().SelectMany(s => s.Value)
                        : dapr.GetSecretAsync(store, secretName).GetAwaiter().GetResult();
                    var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                    foreach (var (key, value) in values)
                    {
                        data[key.Replace("--", ":", StringComparison.Ordinal)] = value;
                    }

                    Data = data;
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

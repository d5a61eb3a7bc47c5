using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Configuration;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Tracker.Intake;

public static class IntakeRegistration
{
    /// <summary>The group commit of single deliveries: its options and the batcher, started and stopped with the host.</summary>
    public static IHostApplicationBuilder AddTrackerIntake(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCheckedOptions<IntakeOptions>(builder.Configuration.GetSection(IntakeOptions.Section));
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IntakeOptions>>().Value;
            // SQLite has one writer: more consumers would only queue on its lock.
            var consumers = sp.GetRequiredService<Database>().Kind == StoreKind.Postgres ? options.Consumers : 1;
            return new IntakeBatcher(sp.GetRequiredService<OrderTracker>().HandleBatchAsync, consumers, options, sp.GetRequiredService<IMeterFactory>());
        });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IntakeBatcher>());
        return builder;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels;
using Proactive.Notifier.Channels.Email;
using Proactive.Notifier.Channels.LocalOutbox;
using Proactive.Notifier.Channels.Sms;
using Proactive.Notifier.Dapr;
using Proactive.Notifier.Dispatch;
using Proactive.Notifier.Grpc;
using Proactive.Notifier.Incidents;
using Proactive.Notifier.Messages.Templates;
using Proactive.Notifier.Preferences;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Replies;
using Proactive.Notifier.Store;
using Proactive.Notifier.Survey;
using Proactive.Notifier.Voice;
using Proactive.Notifier.Webhooks;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Configuration;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Queues;

namespace Proactive.Notifier;

public static class Extensions
{
    /// <summary>
    /// Notifier's services. Each channel sends through its provider when the provider's
    /// credentials are configured, and to the local outbox file and console otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddNotifier(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddCheckedOptions<NoticePolicyOptions>(configuration.GetSection(NoticePolicyOptions.Section));
        services.AddCheckedOptions<DispatchOptions>(configuration.GetSection(DispatchOptions.Section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DispatchOptions>, RequiredProviders>());
        services.AddCheckedOptions<TwilioOptions>(configuration.GetSection(TwilioOptions.Section));
        services.AddCheckedOptions<SendGridOptions>(configuration.GetSection(SendGridOptions.Section));
        services.AddCheckedOptions<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));

        services.AddSingleton(NotifierSchema.Migrations);
        services.AddSingleton<NoticeStore>();
        services.AddSingleton<PreferenceChanges>();
        services.AddQueueSignal<DispatchSignal>();
        services.AddSingleton<IQueueProbe, NotifierQueueProbe>();
        services.AddSingleton<DelayEpisodeHandler>();
        services.AddSingleton<NotifierMetrics>();
        services.AddSingleton<NoticeDispatcher>();
        services.AddSingleton<WebhookGate>();
        services.AddSingleton<TwilioWebhook>();
        services.AddSingleton<TwilioStatusCallbacks>();
        services.AddSingleton<TwilioInboundMessages>();
        services.AddSingleton<SendGridSignature>();
        services.AddSingleton<SendGridEvents>();
        services.AddSurvey(configuration);
        services.AddVoice(configuration);
        services.AddIncidents(configuration);
        services.AddTemplates(configuration);

        services.AddHttpClient<TwilioSmsSender>((sp, c) => c.Timeout = sp.GetRequiredService<IOptions<TwilioOptions>>().Value.Timeout);
        services.AddHttpClient<SendGridEmailSender>((sp, c) => c.Timeout = sp.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout);
        services.AddSingleton<INoticeSender>(sp => sp.GetRequiredService<IOptions<TwilioOptions>>().Value.IsConfigured
            ? sp.GetRequiredService<TwilioSmsSender>()
            : LocalOutbox(sp, Channel.Sms));
        services.AddSingleton<INoticeSender>(sp => sp.GetRequiredService<IOptions<SendGridOptions>>().Value.IsConfigured
            ? sp.GetRequiredService<SendGridEmailSender>()
            : LocalOutbox(sp, Channel.Email));
        services.AddHostedService(sp => sp.GetRequiredService<NoticeDispatcher>());

        return builder;
    }

    /// <summary>Dapr hosting: delay-episode changes arrive through AppCallback on topic "notices".</summary>
    public static IHostApplicationBuilder AddNotifierDaprTopics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ITopicHandler, EpisodeTopicHandler>();
        return builder;
    }

    public static IEndpointRouteBuilder MapNotifier(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<NoticeLedgerService>().RequireAuthorization(Scopes.NoticesRead);
        endpoints.MapGrpcService<CustomerPreferencesService>().RequireAuthorization(Scopes.PreferencesWrite);
        endpoints.MapGrpcService<ReplyService>().RequireAuthorization(Scopes.NoticesRead);
        endpoints.MapWebhooks();
        endpoints.MapSurvey();
        endpoints.MapVoice();
        endpoints.MapIncidents();
        endpoints.MapTemplates();
        return endpoints;
    }

    private static LocalOutboxSender LocalOutbox(IServiceProvider sp, Channel channel) =>
        new(channel, sp.GetRequiredService<IOptions<DispatchOptions>>().Value.OutboxPath, sp.GetRequiredService<TimeProvider>(), Console.Out);
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Configuration;

namespace Proactive.Notifier.Messages.Templates;

public static class TemplatesExtensions
{
    /// <summary>The template catalog (shipped defaults, override folder, API versions) and its refresh.</summary>
    public static IServiceCollection AddTemplates(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<TemplatesOptions>(configuration.GetSection(TemplatesOptions.Section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TemplatesOptions>, TemplateFolderCheck>());
        services.AddSingleton(sp =>
        {
            var templates = sp.GetRequiredService<IOptions<TemplatesOptions>>().Value;
            var policy = sp.GetRequiredService<IOptions<NoticePolicyOptions>>().Value;
            return new TemplateCatalog(templates.Path, policy.SenderName, policy.MaxSmsSegments, templates.SupportContact, sp.GetRequiredService<ILogger<TemplateCatalog>>());
        });
        services.AddSingleton<TemplateRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<TemplateRefresher>());
        return services;
    }
}

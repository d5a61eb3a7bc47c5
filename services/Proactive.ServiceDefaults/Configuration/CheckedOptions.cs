using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Proactive.ServiceDefaults.Configuration;

/// <summary>A configuration section that can say what is wrong with it.</summary>
public interface ICheckedOptions
{
    /// <summary>What is wrong with the options, each naming its full key ("Proactive:Dispatch:PollInterval must be positive"); empty when fit to start with.</summary>
    IEnumerable<string> Problems();
}

public static class CheckedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> and checks it when the host
    /// starts: any problem refuses the start, naming each key at fault.
    /// </summary>
    public static OptionsBuilder<T> AddCheckedOptions<T>(this IServiceCollection services, IConfiguration section)
        where T : class, ICheckedOptions
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, ProblemsValidation<T>>());
        return services.AddOptions<T>().Bind(section).ValidateOnStart();
    }

    /// <summary>Refuses options with problems, naming each key at fault.</summary>
    public sealed class ProblemsValidation<T> : IValidateOptions<T>
        where T : class, ICheckedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}

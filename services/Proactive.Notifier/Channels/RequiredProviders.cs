using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Channels.Email;
using Proactive.Notifier.Channels.Sms;

namespace Proactive.Notifier.Channels;

/// <summary>
/// With <see cref="DispatchOptions.RequireProviders"/> (production), a channel without its provider's
/// credentials refuses the start, naming each key missing, instead of writing its messages to the
/// local outbox file where nobody reads them.
/// </summary>
public sealed class RequiredProviders(IConfiguration configuration) : IValidateOptions<DispatchOptions>
{
    public ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        if (!options.RequireProviders)
        {
            return ValidateOptionsResult.Success;
        }

        var missing = Missing(
            configuration.GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new(),
            configuration.GetSection(SendGridOptions.Section).Get<SendGridOptions>() ?? new()).ToList();
        return missing.Count > 0 ? ValidateOptionsResult.Fail(missing) : ValidateOptionsResult.Success;
    }

    /// <summary>Each provider key a channel lacks, as "Twilio:AccountSid must be set: …" (pure).</summary>
    public static IEnumerable<string> Missing(TwilioOptions twilio, SendGridOptions sendGrid)
    {
        var sms = $"{DispatchOptions.Section}:{nameof(DispatchOptions.RequireProviders)} is true and SMS has no other way out";
        var email = $"{DispatchOptions.Section}:{nameof(DispatchOptions.RequireProviders)} is true and email has no other way out";
        if (Blank(twilio.AccountSid))
        {
            yield return $"{TwilioOptions.Section}:{nameof(TwilioOptions.AccountSid)} must be set: {sms}";
        }

        if (Blank(twilio.AuthToken))
        {
            yield return $"{TwilioOptions.Section}:{nameof(TwilioOptions.AuthToken)} must be set: {sms}";
        }

        if (Blank(twilio.From) && Blank(twilio.MessagingServiceSid))
        {
            yield return $"{TwilioOptions.Section}:{nameof(TwilioOptions.From)} or {TwilioOptions.Section}:{nameof(TwilioOptions.MessagingServiceSid)} must be set: {sms}";
        }

        if (Blank(sendGrid.ApiKey))
        {
            yield return $"{SendGridOptions.Section}:{nameof(SendGridOptions.ApiKey)} must be set: {email}";
        }

        if (Blank(sendGrid.From))
        {
            yield return $"{SendGridOptions.Section}:{nameof(SendGridOptions.From)} must be set: {email}";
        }
    }

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);
}

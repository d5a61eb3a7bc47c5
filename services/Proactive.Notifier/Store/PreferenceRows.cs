using System.Data.Common;
using Dapper;
using Proactive.Notifier.Preferences;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.Notifier.Store;

/// <summary>What customers told us directly: channels, language, time zone, quiet hours, opt-outs.</summary>
public sealed class PreferenceRows
{
    private readonly DbConnection c;
    private readonly DbTransaction? tx;

    internal PreferenceRows(DbConnection connection, DbTransaction? transaction) => (c, tx) = (connection, transaction);

    public async Task<CustomerPreferences> ForCustomerAsync(string customerId) =>
        (await c.QuerySingleOrDefaultAsync<PreferencesRow>(
            """
            SELECT customer_id, channels, locale, time_zone, quiet_hours_start, quiet_hours_end,
                   sms_opted_out_at, sms_opt_out_source, email_opted_out_at, email_opt_out_source, updated_at
            FROM notifier_preferences WHERE customer_id = @customerId
            """,
            new { customerId },
            tx))?.ToPreferences() ?? CustomerPreferences.None(customerId);

    public Task SaveAsync(CustomerPreferences p) =>
        c.ExecuteAsync(
            """
            INSERT INTO notifier_preferences (customer_id, channels, locale, time_zone, quiet_hours_start, quiet_hours_end,
                sms_opted_out_at, sms_opt_out_source, email_opted_out_at, email_opt_out_source, updated_at)
            VALUES (@CustomerId, @Channels, @Locale, @TimeZone, @QuietStart, @QuietEnd, @SmsAt, @SmsSource, @EmailAt, @EmailSource, @UpdatedAt)
            ON CONFLICT (customer_id) DO UPDATE SET
                channels = excluded.channels, locale = excluded.locale, time_zone = excluded.time_zone,
                quiet_hours_start = excluded.quiet_hours_start, quiet_hours_end = excluded.quiet_hours_end,
                sms_opted_out_at = excluded.sms_opted_out_at, sms_opt_out_source = excluded.sms_opt_out_source,
                email_opted_out_at = excluded.email_opted_out_at, email_opt_out_source = excluded.email_opt_out_source,
                updated_at = excluded.updated_at
            """,
            new
            {
                p.CustomerId,
                Channels = p.Channels is null ? null : string.Join(',', p.Channels),
                p.Locale,
                p.TimeZone,
                QuietStart = p.QuietHours?.Start,
                QuietEnd = p.QuietHours?.End,
                SmsAt = p.SmsOptOut?.At.ToMs(),
                SmsSource = p.SmsOptOut?.Source,
                EmailAt = p.EmailOptOut?.At.ToMs(),
                EmailSource = p.EmailOptOut?.Source,
                UpdatedAt = p.UpdatedAt.ToMs() ?? 0,
            },
            tx);

    private sealed record PreferencesRow(
        string customer_id,
        string? channels,
        string? locale,
        string? time_zone,
        string? quiet_hours_start,
        string? quiet_hours_end,
        long? sms_opted_out_at,
        string? sms_opt_out_source,
        long? email_opted_out_at,
        string? email_opt_out_source,
        long updated_at)
    {
        public CustomerPreferences ToPreferences() => new(
            customer_id,
            channels?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<Channel>).ToList(),
            locale,
            time_zone,
            quiet_hours_start is { } start && quiet_hours_end is { } end ? new QuietWindow(start, end) : null,
            sms_opted_out_at is { } smsAt ? new OptOut(UnixTime.FromMs(smsAt), sms_opt_out_source ?? "") : null,
            email_opted_out_at is { } emailAt ? new OptOut(UnixTime.FromMs(emailAt), email_opt_out_source ?? "") : null,
            UnixTime.FromMs(updated_at));
    }
}

using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Preferences;
using Api = Proactive.Contracts.Notifier.V1;
using EventChannel = Proactive.Contracts.Events.V1.Channel;

namespace Proactive.Notifier.Grpc;

/// <summary>
/// GET/PATCH /v1/customers/{customerId}/preferences, and opt-out / opt-in per channel. Bad input is
/// refused with InvalidArgument (400 over JSON) naming the field; nothing is half-applied. The
/// changes themselves are <see cref="PreferenceChanges"/>'.
/// </summary>
public sealed class CustomerPreferencesService(PreferenceChanges changes, IOptions<NoticePolicyOptions> options)
    : Api.CustomerPreferences.CustomerPreferencesBase
{
    public override async Task<Api.Preferences> GetPreferences(Api.GetPreferencesRequest request, ServerCallContext context)
    {
        var customerId = RequireCustomer(request.CustomerId);
        return ToView(await changes.GetAsync(customerId, context.CancellationToken));
    }

    public override async Task<Api.Preferences> UpdatePreferences(Api.UpdatePreferencesRequest request, ServerCallContext context)
    {
        var customerId = RequireCustomer(request.CustomerId);
        var errors = new List<string>();
        var channels = request.Channels is { } list ? Channels(list.Channels, "channels.channels", errors) : null;
        var language = request.HasLanguage ? Language(request.Language, errors) : null;
        var zone = request.HasTimeZone ? TimeZone(request.TimeZone, errors) : null;
        var quiet = request.QuietHours is { } q ? Quiet(q, errors) : null;
        if (request.ClearQuietHours && request.QuietHours is not null)
        {
            errors.Add("clear_quiet_hours: cannot be set together with quiet_hours");
        }

        Refuse(errors);
        return ToView(await changes.ChangeAsync(
            customerId,
            p => p with
            {
                Channels = request.Channels is null ? p.Channels : channels!.Count > 0 ? channels : null,
                Locale = request.HasLanguage ? NullIfEmpty(language!) : p.Locale,
                TimeZone = request.HasTimeZone ? NullIfEmpty(zone!) : p.TimeZone,
                QuietHours = request.ClearQuietHours ? null : quiet ?? p.QuietHours,
            },
            context.CancellationToken));
    }

    /// <summary>
    /// Opts the customer out of a channel now: what is still waiting for them on it is withdrawn at
    /// once (an SMS-only customer's waiting SMS falls back to email, as at send time).
    /// </summary>
    public override async Task<Api.Preferences> OptOut(Api.ChannelRequest request, ServerCallContext context) =>
        ToView(await changes.OptOutAsync(RequireCustomer(request.CustomerId), Channel(request.Channel), context.CancellationToken));

    public override async Task<Api.Preferences> OptIn(Api.ChannelRequest request, ServerCallContext context) =>
        ToView(await changes.OptInAsync(RequireCustomer(request.CustomerId), Channel(request.Channel), context.CancellationToken));

    private Api.Preferences ToView(CustomerPreferences p)
    {
        var window = p.QuietWindow(options.Value);
        var view = new Api.Preferences
        {
            CustomerId = p.CustomerId,
            Language = p.Locale ?? "",
            TimeZone = p.TimeZone ?? "",
            QuietHours = new Api.QuietHours { Start = window.Start, End = window.End },
            QuietHoursSet = p.QuietHours is not null,
            UpdatedAt = p.UpdatedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        };
        view.Channels.AddRange((p.Channels ?? []).Select(ToWire));
        foreach (var channel in new[] { Notifier.Channel.Sms, Notifier.Channel.Email })
        {
            if (p.OptOutOf(channel) is { } optOut)
            {
                view.OptOuts.Add(new Api.OptOutView { Channel = ToWire(channel), At = Timestamp.FromDateTimeOffset(optOut.At), Source = optOut.Source });
            }
        }

        return view;
    }

    private static string RequireCustomer(string customerId) =>
        string.IsNullOrWhiteSpace(customerId)
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, "customer_id: required"))
            : customerId;

    private static Channel Channel(EventChannel channel) => channel switch
    {
        EventChannel.Sms => Notifier.Channel.Sms,
        EventChannel.Email => Notifier.Channel.Email,
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "channel: must be SMS or EMAIL")),
    };

    private static List<Channel> Channels(IEnumerable<EventChannel> channels, string field, List<string> errors)
    {
        var result = new List<Channel>();
        foreach (var channel in channels)
        {
            if (channel is not (EventChannel.Sms or EventChannel.Email))
            {
                errors.Add($"{field}: must be SMS or EMAIL, not {channel}");
                continue;
            }

            var mapped = channel == EventChannel.Sms ? Notifier.Channel.Sms : Notifier.Channel.Email;
            if (!result.Contains(mapped))
            {
                result.Add(mapped);
            }
        }

        return result;
    }

    private static string Language(string tag, List<string> errors)
    {
        if (tag.Length == 0)
        {
            return tag;
        }

        try
        {
            var culture = CultureInfo.GetCultureInfo(tag, predefinedOnly: true);
            return culture.Name.Length > 0 ? culture.Name : tag;
        }
        catch (CultureNotFoundException)
        {
            errors.Add($"language: '{tag}' is not a known BCP 47 language tag (e.g. \"ko-KR\", \"en\")");
            return tag;
        }
    }

    private static string TimeZone(string zone, List<string> errors)
    {
        if (zone.Length > 0 && NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null)
        {
            errors.Add($"time_zone: '{zone}' is not an IANA time zone (e.g. \"Asia/Seoul\")");
        }

        return zone;
    }

    private static QuietWindow? Quiet(Api.QuietHours quiet, List<string> errors)
    {
        var start = Policy.QuietHours.TimeOfDay(quiet.Start);
        var end = Policy.QuietHours.TimeOfDay(quiet.End);
        if (start is null)
        {
            errors.Add($"quiet_hours.start: '{quiet.Start}' is not a time of day as HH:mm");
        }

        if (end is null)
        {
            errors.Add($"quiet_hours.end: '{quiet.End}' is not a time of day as HH:mm");
        }

        return start is not null && end is not null ? new QuietWindow(quiet.Start, quiet.End) : null;
    }

    private static void Refuse(List<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)));
        }
    }

    private static string? NullIfEmpty(string value) => value.Length > 0 ? value : null;

    private static EventChannel ToWire(Channel channel) => channel == Notifier.Channel.Sms ? EventChannel.Sms : EventChannel.Email;
}

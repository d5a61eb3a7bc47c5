using System.Net.Mail;
using System.Text.RegularExpressions;
using Google.Protobuf;
using NodaTime;
using Proactive.Contracts.Events.V1;

namespace Proactive.Tracker.Events;

/// <summary>
/// The contract's rules beyond types: required fields, E.164 phones, IANA zones, BCP 47 locales.
/// Messages never repeat a field's value, so they are safe to log.
/// </summary>
internal static partial class ContractRules
{
    public static void Validate(IMessage data, IDictionary<string, string[]> errors)
    {
        switch (data)
        {
            case OrderSnapshot order:
                Required(order.OrderId, "data.orderId", errors);
                Required(order.OccurredAt, "data.occurredAt", errors);
                Required(order.PromisedBy, "data.promisedBy", errors);
                ValidateCustomer(order.Customer, errors);
                if (order.TrackingUrl.Length > 0
                    && !(Uri.TryCreate(order.TrackingUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"))
                {
                    errors.TryAdd("data.trackingUrl", ["must be an absolute http(s) URL"]);
                }

                break;
            case OrderCancelled cancelled:
                Required(cancelled.OrderId, "data.orderId", errors);
                Required(cancelled.OccurredAt, "data.occurredAt", errors);
                break;
            case ShipmentCreated created:
                Required(created.ShipmentId, "data.shipmentId", errors);
                Required(created.OrderId, "data.orderId", errors);
                Required(created.OccurredAt, "data.occurredAt", errors);
                break;
            case ShipmentTracking tracking:
                Required(tracking.ShipmentId, "data.shipmentId", errors);
                Required(tracking.OrderId, "data.orderId", errors);
                Required(tracking.OccurredAt, "data.occurredAt", errors);
                if (tracking.Status == ShipmentTracking.Types.Status.Unspecified)
                {
                    errors.TryAdd("data.status", ["is required"]);
                }

                if (tracking.Status == ShipmentTracking.Types.Status.Exception
                    && (tracking.Exception is null || tracking.Exception.Code == ShipmentTracking.Types.CarrierException.Types.Code.Unspecified))
                {
                    errors.TryAdd("data.exception.code", ["is required when status is EXCEPTION"]);
                }

                break;
        }
    }

    private static void ValidateCustomer(Customer? customer, IDictionary<string, string[]> errors)
    {
        if (customer is null)
        {
            errors.TryAdd("data.customer", ["is required"]);
            return;
        }

        Required(customer.CustomerId, "data.customer.customerId", errors);
        if (customer.Phone.Length == 0 && customer.Email.Length == 0)
        {
            errors.TryAdd("data.customer.phone", ["phone or email is required"]);
        }

        if (customer.Phone.Length > 0 && !E164().IsMatch(customer.Phone))
        {
            errors.TryAdd("data.customer.phone", ["must be an E.164 number, e.g. +12025550143"]);
        }

        if (customer.Email.Length > 0 && !IsEmail(customer.Email))
        {
            errors.TryAdd("data.customer.email", ["must be an email address"]);
        }

        if (customer.Locale.Length > 0 && !Bcp47().IsMatch(customer.Locale))
        {
            errors.TryAdd("data.customer.locale", ["must be a BCP 47 language tag, e.g. ko-KR"]);
        }

        if (customer.TimeZone.Length > 0 && DateTimeZoneProviders.Tzdb.GetZoneOrNull(customer.TimeZone) is null)
        {
            errors.TryAdd("data.customer.timeZone", [$"'{customer.TimeZone}' is not an IANA time zone, e.g. Asia/Seoul"]);
        }
    }

    private static bool IsEmail(string email) =>
        MailAddress.TryCreate(email, out var address) && address.Address == email && email.Contains('.', StringComparison.Ordinal);

    private static void Required(string value, string field, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.TryAdd(field, ["is required"]);
        }
    }

    private static void Required(Google.Protobuf.WellKnownTypes.Timestamp? value, string field, IDictionary<string, string[]> errors)
    {
        if (value is null)
        {
            errors.TryAdd(field, ["is required"]);
        }
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex Bcp47();
}

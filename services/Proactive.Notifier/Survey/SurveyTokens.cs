using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Proactive.Notifier.Store;

namespace Proactive.Notifier.Survey;

/// <summary>What a survey link says once checked.</summary>
public enum SurveyLinkStatus
{
    Valid,
    Expired,
    Bad,
}

/// <summary>A checked survey link: the order whose survey it answers, the score it gives, until when it works.</summary>
public sealed record SurveyLink(SurveyLinkStatus Status, string? OrderId = null, int Score = 0, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// The signed one-click links of the survey email: the order id, the score and the expiry, signed
/// with HMAC-SHA256 under the link key (<see cref="SurveyOptions.LinkKey"/>, else one generated
/// once and kept in the database so every replica and restart agrees). Expiry is checked against
/// the caller's clock (ASP.NET Data Protection's time-limited protector reads the wall clock).
/// </summary>
public sealed class SurveyTokens(IOptions<SurveyOptions> options)
{
    public const string LinkKeySecret = "survey.link_key";

    private const byte Version = 1;
    private const int MacBytes = 16;
    private const int HeaderBytes = 1 + 8 + 1;
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("proactive-survey-v1\0");

    private byte[]? key;

    /// <summary>
    /// The link key: the configured one, else the one kept in the database (generated and stored
    /// the first time, in the caller's unit of work). Remembered only once it is known to be stored
    /// by an earlier unit of work, so a rolled-back one leaves nothing behind.
    /// </summary>
    public async Task<byte[]> KeyAsync(NotifierSession session, DateTimeOffset now)
    {
        if ((key ?? options.Value.LinkKeyBytes()) is { } known)
        {
            return key = known;
        }

        var (value, created) = await session.Surveys.SecretAsync(LinkKeySecret, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), now);
        var stored = Convert.FromBase64String(value);
        if (!created)
        {
            key = stored;
        }

        return stored;
    }

    /// <summary>The token of the link that gives <paramref name="score"/> to the survey of <paramref name="orderId"/>.</summary>
    public static string Create(byte[] key, string orderId, int score, DateTimeOffset expiresAt)
    {
        var id = Encoding.UTF8.GetBytes(orderId);
        var payload = new byte[HeaderBytes + id.Length];
        payload[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), expiresAt.ToUnixTimeSeconds());
        payload[9] = (byte)score;
        id.CopyTo(payload.AsSpan(HeaderBytes));
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(Mac(key, payload))}";
    }

    /// <summary>Checks <paramref name="token"/>: bad (malformed, tampered, another key), expired at <paramref name="now"/>, or valid.</summary>
    public static SurveyLink Check(byte[] key, string? token, DateTimeOffset now)
    {
        if (token is null || token.Length > 512 || token.Split('.') is not [var payloadText, var macText])
        {
            return new SurveyLink(SurveyLinkStatus.Bad);
        }

        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(payloadText);
            mac = Base64Url.DecodeFromChars(macText);
        }
        catch (FormatException)
        {
            return new SurveyLink(SurveyLinkStatus.Bad);
        }

        if (payload.Length <= HeaderBytes || payload[0] != Version || !CryptographicOperations.FixedTimeEquals(mac, Mac(key, payload)))
        {
            return new SurveyLink(SurveyLinkStatus.Bad);
        }

        var score = payload[9];
        string orderId;
        try
        {
            orderId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload, HeaderBytes, payload.Length - HeaderBytes);
        }
        catch (ArgumentException)
        {
            return new SurveyLink(SurveyLinkStatus.Bad);
        }

        if (score is < 1 or > 5)
        {
            return new SurveyLink(SurveyLinkStatus.Bad);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(1)));
        return new SurveyLink(now >= expiresAt ? SurveyLinkStatus.Expired : SurveyLinkStatus.Valid, orderId, score, expiresAt);
    }

    private static byte[] Mac(byte[] key, byte[] payload)
    {
        var data = new byte[Purpose.Length + payload.Length];
        Purpose.CopyTo(data, 0);
        payload.CopyTo(data, Purpose.Length);
        return HMACSHA256.HashData(key, data)[..MacBytes];
    }
}

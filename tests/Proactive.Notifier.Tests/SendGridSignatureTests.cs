using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Receipts;
using Proactive.Notifier.Webhooks;
using Proactive.Tests.Shared;
using SendGridValidator = SendGrid.Helpers.EventWebhook.RequestValidator;

namespace Proactive.Notifier.Tests;

/// <summary>
/// SendGrid's Signed Event Webhook checked on the real algorithm: the vector of SendGrid's own tests
/// (reference notes §10.2) with our verifier and with SendGrid's RequestValidator as the oracle.
/// </summary>
public class SendGridSignatureTests
{
    private const string Key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    private const string OtherKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    private const string Timestamp = "1600112502";
    private const string Signature = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    private const string OtherSignature = "MEQCIB3bJQOarffIdM7+MEee+kYAdoViz6RUoScOASwMcXQxAiAcrus/j853JUlVm5qIRfbKBJwJq89znqOTedy3RetXLQ==";
    private const string Payload =
        """[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]""";

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1600112502);

    private static string Sent => Payload + "\r\n";

    private static ECDsa Parsed(string key) => new WebhookOptions { SendGrid = { PublicKey = key } }.SendGridKey();

    private static bool Ours(string key, string timestamp, string payload, string signature)
    {
        using var ecdsa = Parsed(key);
        return SendGridSignature.Verifies(ecdsa, timestamp, Encoding.UTF8.GetBytes(payload), signature);
    }

    private static bool Theirs(string key, string timestamp, string payload, string signature)
    {
        var validator = new SendGridValidator();
        return validator.VerifySignature(validator.ConvertPublicKeyToECDSA(key), payload, signature, timestamp);
    }

    [Fact]
    public void SendGridsOwnVectorVerifiesWithOursAndTheirs()
    {
        Ours(Key, Timestamp, Sent, Signature).ShouldBeTrue();
        Theirs(Key, Timestamp, Sent, Signature).ShouldBeTrue();
    }

    [Theory]
    [InlineData(OtherKey, Timestamp, "with CRLF", Signature)]
    [InlineData(Key, Timestamp, "payload", Signature)]
    [InlineData(Key, Timestamp, "with CRLF", OtherSignature)]
    [InlineData(Key, "timestamp", "with CRLF", Signature)]
    [InlineData(Key, "1600112503", "with CRLF", Signature)]
    [InlineData(Key, Timestamp, "without CRLF", Signature)]
    public void SendGridsNegativeCasesFailWithOursAndTheirs(string key, string timestamp, string payload, string signature)
    {
        var body = payload switch { "with CRLF" => Sent, "without CRLF" => Payload, _ => payload };

        Ours(key, timestamp, body, signature).ShouldBeFalse();
        Theirs(key, timestamp, body, signature).ShouldBeFalse();
    }

    [Fact]
    public void AnyOneByteAlteredAnywhereInTheBodyFails()
    {
        using var key = Parsed(Key);
        var body = Encoding.UTF8.GetBytes(Sent);
        for (var i = 0; i < body.Length; i++)
        {
            var altered = body.ToArray();
            altered[i] ^= 0x01;
            SendGridSignature.Verifies(key, Timestamp, altered, Signature).ShouldBeFalse($"byte {i}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!")]
    [InlineData("AAAA")]
    [InlineData("MEUCIQ==")]
    [InlineData("not base64 at all")]
    [InlineData("MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM")]
    public void GarbageSignaturesAreFalseAndNeverThrow(string signature)
    {
        Should.NotThrow(() => Ours(Key, Timestamp, Sent, signature)).ShouldBeFalse();
    }

    [Fact]
    public void TheKeyIsTakenAsSendGridShowsItOrAsPem()
    {
        var pem = $"-----BEGIN PUBLIC KEY-----\n{Key}\n-----END PUBLIC KEY-----";

        new WebhookOptions { SendGrid = { PublicKey = Key } }.Problems().ShouldBeEmpty();
        new WebhookOptions { SendGrid = { PublicKey = pem } }.Problems().ShouldBeEmpty();
        Ours(pem, Timestamp, Sent, Signature).ShouldBeTrue();
    }

    [Fact]
    public void AKeyThatIsNotP256OrNotAKeyIsRefusedNamingTheSetting()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        foreach (var key in new[] { Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo()), "not-a-key", "AAAA" })
        {
            new WebhookOptions { SendGrid = { PublicKey = key } }.Problems()
                .ShouldHaveSingleItem().ShouldStartWith("Proactive:Webhooks:SendGrid:PublicKey is not SendGrid's verification key");
        }
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(299, null)]
    [InlineData(300, null)]
    [InlineData(-299, null)]
    [InlineData(301, "stale timestamp")]
    [InlineData(-301, "timestamp from the future")]
    public void TheSignedTimestampMustBeWithinTheToleranceEitherWay(int secondsAfterSigning, string? refusal)
    {
        var check = Checker(SignedAt.AddSeconds(secondsAfterSigning)).Check(Headers(Signature, Timestamp), Encoding.UTF8.GetBytes(Sent));

        if (refusal is null)
        {
            check.ShouldBeNull();
        }
        else
        {
            check.ShouldNotBeNull().ShouldStartWith(refusal);
        }
    }

    [Fact]
    public void MissingRepeatedOrNonNumericHeadersAreRefusedWithTheirReason()
    {
        var checker = Checker(SignedAt);
        var body = Encoding.UTF8.GetBytes(Sent);

        checker.Check(new HeaderDictionary { [SendGridSignature.TimestampHeader] = Timestamp }, body).ShouldBe($"no {SendGridSignature.SignatureHeader}");
        checker.Check(new HeaderDictionary { [SendGridSignature.SignatureHeader] = Signature }, body).ShouldBe($"no {SendGridSignature.TimestampHeader}");
        checker.Check(Headers(Signature, ""), body).ShouldBe($"no {SendGridSignature.TimestampHeader}");
        checker.Check(new HeaderDictionary { [SendGridSignature.SignatureHeader] = new([Signature, Signature]), [SendGridSignature.TimestampHeader] = Timestamp }, body)
            .ShouldBe($"more than one {SendGridSignature.SignatureHeader}");
        checker.Check(new HeaderDictionary { [SendGridSignature.SignatureHeader] = Signature, [SendGridSignature.TimestampHeader] = new([Timestamp, Timestamp]) }, body)
            .ShouldBe($"more than one {SendGridSignature.TimestampHeader}");
        foreach (var timestamp in new[] { "timestamp", "-1600112502", "+1600112502", " 1600112502", "1600112502.0", "99999999999999999999", "999999999999" })
        {
            checker.Check(Headers(Signature, timestamp), body).ShouldBe($"{SendGridSignature.TimestampHeader} is not unix seconds", timestamp);
        }

        checker.Check(Headers(OtherSignature, Timestamp), body).ShouldBe("signature mismatch");
        checker.Check(Headers("!!", Timestamp), body).ShouldBe("signature mismatch");
        checker.Check(Headers(Signature, Timestamp), body).ShouldBeNull();
    }

    [Fact]
    public async Task TheFakesSignaturesVerifyWithSendGridsOwnValidator()
    {
        await using var fake = await FakeSendGrid.StartAsync();
        var mail = new AcceptedMail("msg-1", "minji@example.com", new Dictionary<string, string> { ["notice_id"] = "A-1/delay-1/1/email" });
        var body = FakeSendGrid.Body([FakeSendGrid.Event(mail, "delivered", SignedAt), FakeSendGrid.Event(mail, "open", SignedAt)]);
        var signature = fake.Sign(Timestamp, body);

        Theirs(fake.PublicKey, Timestamp, Encoding.UTF8.GetString(body), signature).ShouldBeTrue();
        Theirs(fake.PublicKey, "1600112503", Encoding.UTF8.GetString(body), signature).ShouldBeFalse();
        using var key = Parsed(fake.PublicKey);
        SendGridSignature.Verifies(key, Timestamp, body, signature).ShouldBeTrue();
    }

    private static SendGridSignature Checker(DateTimeOffset now) =>
        new(Options.Create(new WebhookOptions { SendGrid = { PublicKey = Key } }), new FakeTimeProvider(now));

    private static HeaderDictionary Headers(string signature, string timestamp) => new()
    {
        [SendGridSignature.SignatureHeader] = signature,
        [SendGridSignature.TimestampHeader] = timestamp,
    };
}

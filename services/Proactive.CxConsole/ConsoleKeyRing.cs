using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Proactive.ServiceDefaults.Storage;

namespace Proactive.CxConsole;

/// <summary>
/// The keys that sign and encrypt the console's session cookies and antiforgery tokens (ASP.NET Core
/// Data Protection), kept in the service's own database: every replica reads what any other issued,
/// and a restart keeps the sessions. Without it each process would keep keys of its own (in memory
/// on a read-only container), and a second Notifier pod would refuse the first one's sessions.
/// Data Protection adds, rotates and expires the keys; this only stores them, in the order written.
/// </summary>
public sealed class ConsoleKeyRing(Database database) : IXmlRepository
{
    public static readonly SchemaMigrations Migrations = new("console",
    [
        """
        CREATE TABLE console_keys (
            id {{id}},
            friendly_name TEXT NOT NULL,
            xml TEXT NOT NULL);
        """,
    ]);

    // Data Protection's interface is synchronous; it reads the ring at start and again when its
    // cached copy expires (about once a day) or a key is due to rotate, never per request.
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. database.ReadAsync(c => c.QueryAsync<string>("SELECT xml FROM console_keys ORDER BY id")).GetAwaiter().GetResult().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName) =>
        database.WriteAsync(
            (c, tx) => c.ExecuteAsync(
                "INSERT INTO console_keys (friendly_name, xml) VALUES (@friendlyName, @xml)",
                new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) },
                tx))
            .GetAwaiter().GetResult();

    /// <summary>The console's keys in the database (its schema migrated with the others at start).</summary>
    internal static void AddTo(IServiceCollection services)
    {
        services.AddSingleton(Migrations);
        services.AddSingleton<ConsoleKeyRing>();
        services.AddOptions<KeyManagementOptions>().Configure<ConsoleKeyRing>((o, ring) => o.XmlRepository = ring);
    }
}

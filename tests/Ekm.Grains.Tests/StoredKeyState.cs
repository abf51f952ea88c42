using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Ekm.Grains.Kms;
using Ekm.LocalKms.Hosting;
using Microsoft.Data.Sqlite;

namespace Ekm.Grains.Tests;

/// <summary>
/// Reads what the KeyGrain wrote to the SQLite grain store — the real row, not the grain's answer —
/// and unwraps the tenant key from it the way only the vendor can, through the local KMS.
/// </summary>
internal static class StoredKeyState
{
    public static async Task<JsonElement> ReadAsync(string databasePath, string tenantId)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $state AND GrainIdExtensionString = $tenant";
        command.Parameters.AddWithValue("$state", StorageNames.KeyState);
        command.Parameters.AddWithValue("$tenant", tenantId);
        var payload = (byte[])(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no stored key state for {tenantId}"));
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.Clone();
    }

    /// <summary>A string property; Orleans' JSON storage wraps some values as {"$type", "$value"}.</summary>
    public static string? Text(JsonElement state, string property) =>
        !state.TryGetProperty(property, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Object && value.TryGetProperty("$value", out var inner) ? inner.GetString()
        : null;

    /// <summary>The plaintext tenant key, unwrapped by the vendor from the stored blob with the tenant's context.</summary>
    public static async Task<byte[]> UnwrapTenantKeyAsync(SqliteCluster cluster, JsonElement state, string tenantId)
    {
        var wrapped = Convert.FromBase64String(Text(state, "WrappedTenantKey") ?? throw new InvalidOperationException("no WrappedTenantKey in " + state.GetRawText()));
        using var vendor = cluster.ClientFor(LocalKmsAccounts.VendorAccountId);
        var response = await vendor.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(wrapped),
            KeyId = Text(state, "WrappingKeyArn"),
            EncryptionContext = TenantContext.For(tenantId),
        });
        return response.Plaintext.ToArray();
    }
}

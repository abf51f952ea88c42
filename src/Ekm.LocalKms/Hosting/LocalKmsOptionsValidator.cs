using Microsoft.Extensions.Options;

namespace Ekm.LocalKms.Hosting;

/// <summary>
/// Checks <see cref="LocalKmsOptions"/>; reports every problem at once. Setting names are given
/// under <paramref name="section"/>, so a host that binds the options elsewhere names its own.
/// </summary>
public sealed class LocalKmsOptionsValidator(string section = LocalKmsOptions.Section) : IValidateOptions<LocalKmsOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalKmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (StoreKeyProblem(options.StoreKey, $"{section}:StoreKey") is { } storeKey)
        {
            problems.Add(storeKey);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>
    /// What is wrong with a store key setting, or null when it is empty or base64 of 32 bytes. The
    /// value itself is never quoted: it is a secret, even when it is a wrong one.
    /// </summary>
    public static string? StoreKeyProblem(string? value, string setting)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        const string Fix = "set it to 32 random bytes in base64 (e.g. from `openssl rand -base64 32`), or leave it empty to use a key file beside the database";
        var bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value.Trim(), bytes, out var length))
        {
            return $"{setting} is not base64: {Fix}.";
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        return length == 32 ? null : $"{setting} is {length} bytes, not 32 (256 bits): {Fix}.";
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Ekm.LocalKms.Protocol;

namespace Ekm.LocalKms.Engine;

public enum PolicyDecision
{
    NotAllowed,
    Allowed,
    Denied,
}

/// <summary>
/// A key policy, parsed once and evaluated on every call: Allow/Deny statements (an explicit Deny
/// wins), principals by account id, account root ARN or exact principal ARN, actions with
/// wildcards, and string conditions on <c>kms:EncryptionContext:*</c>, <c>kms:CallerAccount</c>
/// and <c>aws:PrincipalAccount</c>. What it does not model is refused as malformed rather than
/// silently ignored, so a policy never means less here than it would in AWS.
/// </summary>
public sealed partial class KeyPolicy
{
    private static readonly HashSet<string> Operators = new(StringComparer.Ordinal)
    {
        "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    };

    private readonly List<Statement> _statements;

    private KeyPolicy(List<Statement> statements) => _statements = statements;

    public static string Default(string account, string partition) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Id = "key-default-1",
        Statement = new[]
        {
            new { Sid = "Enable IAM User Permissions", Effect = "Allow", Principal = new { AWS = Caller.RootOf(account, partition) }, Action = "kms:*", Resource = "*" },
        },
    });

    public static KeyPolicy Parse(string json)
    {
        if (json.Length > 32768)
        {
            throw Malformed("The policy is longer than 32768 characters.");
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Statement", out var statements))
            {
                throw Malformed("The policy must be a JSON object with a Statement.");
            }

            var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            return new KeyPolicy(list.Select(ParseStatement).ToList());
        }
        catch (JsonException ex)
        {
            throw Malformed($"The policy is not valid JSON: {ex.Message}");
        }
    }

    public PolicyDecision Evaluate(Caller caller, string action, IReadOnlyDictionary<string, string>? context)
    {
        var allowed = false;
        foreach (var statement in _statements)
        {
            if (!statement.Matches(caller, action, context))
            {
                continue;
            }

            if (!statement.Allow)
            {
                return PolicyDecision.Denied;
            }

            allowed = true;
        }

        return allowed ? PolicyDecision.Allowed : PolicyDecision.NotAllowed;
    }

    private static Statement ParseStatement(JsonElement s)
    {
        if (s.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Every statement must be a JSON object.");
        }

        foreach (var unsupported in new[] { "NotPrincipal", "NotAction", "NotResource" })
        {
            if (s.TryGetProperty(unsupported, out _))
            {
                throw Malformed($"{unsupported} is not supported by the local KMS.");
            }
        }

        var effect = s.TryGetProperty("Effect", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (effect is not ("Allow" or "Deny"))
        {
            throw Malformed("Every statement needs an Effect of Allow or Deny.");
        }

        if (!s.TryGetProperty("Principal", out var principal))
        {
            throw Malformed("Every statement in a key policy needs a Principal.");
        }

        var principals = principal.ValueKind == JsonValueKind.String && principal.GetString() == "*"
            ? ["*"]
            : principal.ValueKind == JsonValueKind.Object && principal.TryGetProperty("AWS", out var aws)
                ? Strings(aws, "Principal.AWS")
                : principal.ValueKind == JsonValueKind.Object ? [] : throw Malformed("Principal must be \"*\" or an object such as {\"AWS\": \"...\"}.");
        foreach (var p in principals)
        {
            if (p != "*" && !AccountId().IsMatch(p) && !p.StartsWith("arn:", StringComparison.Ordinal))
            {
                throw Malformed($"Principal '{p}' is not an account id or an ARN.");
            }
        }

        if (!s.TryGetProperty("Action", out var action))
        {
            throw Malformed("Every statement needs an Action.");
        }

        var actions = Strings(action, "Action").Select(Wildcard).ToList();
        var conditions = new List<Condition>();
        if (s.TryGetProperty("Condition", out var condition))
        {
            if (condition.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("Condition must be an object.");
            }

            foreach (var op in condition.EnumerateObject())
            {
                if (!Operators.Contains(op.Name))
                {
                    throw Malformed($"Condition operator '{op.Name}' is not supported by the local KMS.");
                }

                if (op.Value.ValueKind != JsonValueKind.Object)
                {
                    throw Malformed($"Condition operator '{op.Name}' must map condition keys to values.");
                }

                foreach (var key in op.Value.EnumerateObject())
                {
                    conditions.Add(new Condition(op.Name, key.Name, Strings(key.Value, key.Name)));
                }
            }
        }

        return new Statement(effect == "Allow", principals, actions, conditions);
    }

    private static List<string> Strings(JsonElement value, string what) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
            value.EnumerateArray().Select(v => v.GetString()!).ToList(),
        _ => throw Malformed($"{what} must be a string or an array of strings."),
    };

    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static KmsException Malformed(string message) => new(KmsErrors.MalformedPolicyDocument, message);

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    private sealed record Statement(bool Allow, List<string> Principals, List<Regex> Actions, List<Condition> Conditions)
    {
        public bool Matches(Caller caller, string action, IReadOnlyDictionary<string, string>? context) =>
            Principals.Any(p => PrincipalMatches(p, caller))
            && Actions.Any(a => a.IsMatch(action))
            && Conditions.All(c => c.Holds(caller, context));

        private static bool PrincipalMatches(string principal, Caller caller) =>
            principal == "*"
            || principal == caller.Account
            || principal == Caller.RootOf(caller.Account, caller.Partition)
            || string.Equals(principal, caller.PrincipalArn, StringComparison.Ordinal);
    }

    private sealed record Condition(string Operator, string Key, List<string> Values)
    {
        private const string ContextPrefix = "kms:EncryptionContext:";

        public bool Holds(Caller caller, IReadOnlyDictionary<string, string>? context)
        {
            var actual = Lookup(caller, context);
            var negated = Operator.Contains("Not", StringComparison.Ordinal);
            if (actual is null)
            {
                return negated;
            }

            var any = Operator switch
            {
                "StringEquals" or "StringNotEquals" => Values.Any(v => string.Equals(v, actual, StringComparison.Ordinal)),
                "StringEqualsIgnoreCase" or "StringNotEqualsIgnoreCase" => Values.Any(v => string.Equals(v, actual, StringComparison.OrdinalIgnoreCase)),
                _ => Values.Any(v => Like(v, actual)),
            };
            return negated ? !any : any;
        }

        private string? Lookup(Caller caller, IReadOnlyDictionary<string, string>? context)
        {
            // Condition key names are case-insensitive in AWS; encryption-context keys keep their case.
            if (Key.StartsWith(ContextPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var name = Key[ContextPrefix.Length..];
                return context is not null && context.TryGetValue(name, out var value) ? value : null;
            }

            return Key.ToLowerInvariant() switch
            {
                "kms:calleraccount" or "aws:principalaccount" => caller.Account,
                "aws:principalarn" => caller.PrincipalArn,
                _ => null,
            };
        }

        private static bool Like(string pattern, string value) =>
            Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
                RegexOptions.CultureInvariant);
    }
}

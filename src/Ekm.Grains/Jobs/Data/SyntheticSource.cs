using Ekm.Jobs;
using static Ekm.Grains.Jobs.Data.SyntheticContent;

namespace Ekm.Grains.Jobs.Data;

/// <summary>
/// A deterministic fake of a customer's SaaS tenant: the same tenant and product always yield the
/// same containers, items and bytes, in any process, so a restore can be checked byte for byte
/// against what was backed up without keeping a copy of the source.
/// </summary>
public static class SyntheticSource
{
    private enum Shape
    {
        Message,
        Text,
        Json,
        Binary,
    }

    // Item ids are {Prefix}-{n}; Title is the name without extension, and a message's subject.
    private sealed record Template(string Prefix, Shape Shape, string Extension, string ContentType, int MinSize, int MaxSize, Func<SeededRandom, string> Title);

    // Fixed templates are added to the first container of the kind only, so that every product
    // reliably holds both extremes: an item of several MiB and, where files exist, one of a few bytes.
    private sealed record Kind(string Name, int Containers, int MinItems, int MaxItems, Func<string, string> DisplayName, bool NamedAfterPerson, Template[] Templates, Template[]? Fixed = null);

    // A container picks its items' templates at random from Kind.Templates, so a template listed
    // twice there is picked twice as often.
    private sealed record Blueprint(string TenantId, Product Product, SourceContainer Container, Template Template, string ItemId, int Version, string Name, int Size);

    private const int MiB = 1024 * 1024;

    private static readonly Template Mail = new("msg", Shape.Message, "", "message/rfc822", 200, 12_000, Subject);

    private static readonly Template[] Files =
    [
        new("file", Shape.Binary, ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 8_000, 120_000, FileTitle),
        new("file", Shape.Binary, ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 6_000, 90_000, FileTitle),
        new("file", Shape.Binary, ".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", 40_000, 400_000, FileTitle),
        new("file", Shape.Binary, ".pdf", "application/pdf", 20_000, 300_000, FileTitle),
        new("file", Shape.Binary, ".png", "image/png", 2_000, 60_000, FileTitle),
        new("file", Shape.Text, ".txt", "text/plain", 3, 2_000, FileTitle),
        new("file", Shape.Text, ".md", "text/markdown", 100, 6_000, FileTitle),
    ];

    private static readonly Template Video = new("file", Shape.Binary, ".mp4", "video/mp4", 2 * MiB, 4 * MiB, _ => "Town hall recording");

    private static readonly Template Note = new("file", Shape.Text, ".txt", "text/plain", 3, 40, _ => "Read me");

    private static readonly Template ChannelMessage = new("chat", Shape.Json, ".json", "application/json", 200, 3_000, FileTitle);

    private static readonly Kind[] Microsoft365 =
    [
        new("mailbox", 2, 3, 6, person => person, true, [Mail]),
        new("onedrive", 2, 3, 5, person => $"{person}'s OneDrive", true, Files, [Video, Note]),
        new("site", 2, 3, 5, topic => $"{topic} site", false, Files),
        new("team", 2, 3, 5, topic => $"{topic} team", false, [ChannelMessage, ChannelMessage, .. Files]),
        new("group", 2, 3, 5, topic => $"{topic} group", false, [Mail, .. Files]),
        new("publicfolder", 2, 2, 4, topic => $"{topic} public folder", false, [Mail]),
    ];

    private static readonly Kind[] GoogleWorkspace =
    [
        new("mailbox", 3, 4, 7, person => person, true, [Mail]),
        new("drive", 3, 3, 6, person => $"{person}'s Drive", true, Files, [Video with { Title = _ => "Offsite recording" }, Note]),
        new("shareddrive", 3, 3, 6, topic => $"{topic} shared drive", false, Files),
    ];

    private static readonly Kind[] EntraId =
    [
        new("directory", 1, 28, 40, _ => "Directory", false,
            [
                new("user", Shape.Json, ".json", "application/json", 300, 2_500, rng => rng.Pick(People)),
                new("user", Shape.Json, ".json", "application/json", 300, 2_500, rng => rng.Pick(People)),
                new("group", Shape.Json, ".json", "application/json", 200, 4_000, rng => $"{rng.Pick(Topics)} group"),
            ],
            [new("signins", Shape.Json, ".json", "application/json", 2 * MiB, 3 * MiB, _ => "Sign-in logs")]),
    ];

    public static IReadOnlyList<SourceContainer> Containers(string tenantId, Product product)
    {
        DataPaths.Segment(tenantId, nameof(tenantId));
        var containers = new List<SourceContainer>();
        foreach (var kind in KindsOf(product))
        {
            // One rotation per kind keeps the containers of a kind named after different people or topics.
            var names = kind.NamedAfterPerson ? People : Topics;
            var offset = new SeededRandom(tenantId, product.ToString(), kind.Name).Next(0, names.Length);
            for (var n = 1; n <= kind.Containers; n++)
            {
                var tag = Convert.ToHexStringLower(Bytes(new SeededRandom(tenantId, product.ToString(), kind.Name, $"{n}"), 3));
                containers.Add(new SourceContainer($"{kind.Name}-{n}-{tag}", kind.Name, kind.DisplayName(names[(offset + n) % names.Length])));
            }
        }

        return containers;
    }

    /// <exception cref="ArgumentException"><paramref name="containerId"/> is not one of <see cref="Containers"/>.</exception>
    public static IReadOnlyList<SourceItem> Items(string tenantId, Product product, string containerId) =>
        [.. Blueprints(tenantId, product, containerId).Select(b => ToItem(b, Generate(b, b.Version).Length))];

    /// <summary>The bytes of <paramref name="item"/> at <see cref="SourceItem.Version"/>; another version yields other bytes.</summary>
    public static byte[] Content(string tenantId, Product product, SourceItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var blueprint = Blueprints(tenantId, product, item.ContainerId).FirstOrDefault(b => b.ItemId == item.ItemId)
            ?? throw new ArgumentException($"Container '{item.ContainerId}' has no item '{item.ItemId}'.", nameof(item));
        return Generate(blueprint, item.Version);
    }

    private static Kind[] KindsOf(Product product) => product switch
    {
        Product.Microsoft365 => Microsoft365,
        Product.GoogleWorkspace => GoogleWorkspace,
        Product.EntraId => EntraId,
        _ => throw new ArgumentOutOfRangeException(nameof(product), product, "Unknown product."),
    };

    private static List<Blueprint> Blueprints(string tenantId, Product product, string containerId)
    {
        var container = Containers(tenantId, product).FirstOrDefault(c => c.Id == containerId)
            ?? throw new ArgumentException($"Tenant '{tenantId}' has no {product} container '{containerId}'.", nameof(containerId));
        var kind = KindsOf(product).Single(k => k.Name == container.Kind);
        var rng = new SeededRandom(tenantId, product.ToString(), containerId);

        var templates = Enumerable.Range(0, rng.Next(kind.MinItems, kind.MaxItems + 1)).Select(_ => rng.Pick(kind.Templates)).ToList();
        if (kind.Fixed is not null && containerId.StartsWith($"{kind.Name}-1-", StringComparison.Ordinal))
        {
            templates.AddRange(kind.Fixed);
        }

        var blueprints = new List<Blueprint>();
        foreach (var template in templates)
        {
            var itemId = $"{template.Prefix}-{blueprints.Count(b => b.Template.Prefix == template.Prefix) + 1}";
            // Names and sizes stay put across versions; only the bytes change with the version.
            var itemRng = new SeededRandom(tenantId, product.ToString(), containerId, itemId);
            var version = itemRng.Next(0, 4) == 0 ? 2 : 1;
            blueprints.Add(new Blueprint(tenantId, product, container, template, itemId, version,
                template.Title(itemRng) + template.Extension, itemRng.Next(template.MinSize, template.MaxSize)));
        }

        return blueprints;
    }

    private static SourceItem ToItem(Blueprint b, long length) =>
        new(b.Container.Id, b.ItemId, b.Version, b.Name, b.Template.ContentType, length);

    private static byte[] Generate(Blueprint blueprint, int version)
    {
        var rng = new SeededRandom(blueprint.TenantId, blueprint.Product.ToString(), blueprint.Container.Id, blueprint.ItemId, $"{version}");
        return blueprint.Template.Shape switch
        {
            Shape.Message => Message(rng, blueprint.TenantId, blueprint.Name, $"{blueprint.ItemId}.{version}.{blueprint.Container.Id}", blueprint.Size),
            Shape.Text => Text(rng, blueprint.Size),
            Shape.Json => Json(rng, blueprint.TenantId, blueprint.ItemId, blueprint.Template.Prefix, blueprint.Name[..^blueprint.Template.Extension.Length], blueprint.Size),
            Shape.Binary => Bytes(rng, blueprint.Size),
            _ => throw new InvalidOperationException($"Unknown shape {blueprint.Template.Shape}."),
        };
    }

    private static string Subject(SeededRandom rng) => (rng.Next(0, 3) == 0 ? "Re: " : "") + FileTitle(rng);

    private static string FileTitle(SeededRandom rng) => $"{rng.Pick(Topics)} {rng.Pick(Nouns)}";
}

using Ekm.Host.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEkmHost();

var app = builder.Build();
app.MapEkmHost();

return await StartupFailure.RunAsync(app);

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;

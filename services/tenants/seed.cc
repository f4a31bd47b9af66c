#include "services/tenants/seed.h"

#include <utility>

#include "sportelli/status/macros.h"

namespace sportelli::tenants {
namespace {

using absl::Weekday;

constexpr int H(int hours, int minutes = 0) { return hours * 60 + minutes; }

std::vector<WeeklyInterval> Weekdays(int start, int end) {
  std::vector<WeeklyInterval> hours;
  for (Weekday day : {Weekday::monday, Weekday::tuesday, Weekday::wednesday, Weekday::thursday,
                      Weekday::friday}) {
    hours.push_back({day, start, end});
  }
  return hours;
}

Tenant MakeTenant(const char* id, const char* name, const char* istat, PostalAddress address,
                  bool lead = false) {
  Tenant tenant;
  tenant.id = id;
  tenant.display_name = name;
  tenant.istat_code = istat;
  tenant.address = std::move(address);
  tenant.lead = lead;
  tenant.time_zone = "Europe/Rome";
  return tenant;
}

// The service catalog every comune starts from. Names are from the source; the durations are
// EXAMPLE DATA (the source gives none): each comune's admin sets its own.
std::vector<Service> Catalog(const std::string& tenant_id) {
  struct Entry {
    const char* id;
    const char* name;
    const char* description;
    int minutes;
  };
  static constexpr Entry kEntries[] = {
      {"ascolto-accoglienza", "Ascolto e accoglienza",
       "Un primo colloquio per ascoltare la situazione e capire insieme i bisogni.", 45},
      {"informazione-orientamento", "Informazione e orientamento",
       "Informazioni su diritti, benefici e servizi del territorio, e a chi rivolgersi.", 30},
      {"accesso-punto-insieme", "Accesso al Punto Insieme",
       "Accompagnamento all'accesso al Punto Insieme.", 30},
      {"accompagnamento-inserimento", "Accompagnamento all'inserimento socio-economico",
       "Un percorso accompagnato verso l'inclusione sociale ed economica.", 60},
  };
  std::vector<Service> services;
  for (const Entry& entry : kEntries) {
    Service service;
    service.tenant_id = tenant_id;
    service.id = entry.id;
    service.display_name = entry.name;
    service.description = entry.description;
    service.duration_minutes = entry.minutes;
    services.push_back(service);
  }
  return services;
}

std::vector<std::string> CatalogIds() {
  return {"accesso-punto-insieme", "accompagnamento-inserimento", "ascolto-accoglienza",
          "informazione-orientamento"};
}

Desk MakeDesk(const std::string& tenant_id, const char* id, const char* name, PostalAddress address,
              BookingMode mode, std::vector<WeeklyInterval> hours, int capacity) {
  Desk desk;
  desk.tenant_id = tenant_id;
  desk.id = id;
  desk.display_name = name;
  desk.address = std::move(address);
  desk.booking_mode = mode;
  desk.opening_hours = std::move(hours);
  desk.service_ids = CatalogIds();
  desk.capacity = capacity;
  return desk;
}

}  // namespace

SeedData PianaDiLuccaSeed() {
  SeedData seed;
  // Facts from the source: the seven comuni, Capannori as lead (capofila), Capannori's main
  // office at Piazza Aldo Moro 1, 55012 Capannori. ISTAT codes: EXAMPLE DATA, to be verified
  // against ISTAT's list of comuni before production use. Town-hall addresses other than
  // Capannori's are left empty rather than guessed.
  seed.tenants = {
      MakeTenant("capannori", "Comune di Capannori", "046007",
                 {"Piazza Aldo Moro 1", "55012", "Capannori", "LU"}, /*lead=*/true),
      MakeTenant("lucca", "Comune di Lucca", "046017", {"", "", "Lucca", "LU"}),
      MakeTenant("altopascio", "Comune di Altopascio", "046001", {"", "", "Altopascio", "LU"}),
      MakeTenant("pescaglia", "Comune di Pescaglia", "046022", {"", "", "Pescaglia", "LU"}),
      MakeTenant("porcari", "Comune di Porcari", "046026", {"", "", "Porcari", "LU"}),
      MakeTenant("villa-basilica", "Comune di Villa Basilica", "046034",
                 {"", "", "Villa Basilica", "LU"}),
      MakeTenant("montecarlo", "Comune di Montecarlo", "046021", {"", "", "Montecarlo", "LU"}),
  };
  seed.tenants[0].phone_number = "+390583428252";  // the booking line, from the source

  for (const Tenant& tenant : seed.tenants) {
    for (Service& service : Catalog(tenant.id)) seed.services.push_back(std::move(service));
  }

  // Capannori: main office (the address is from the source) and the two satellite desks, by
  // appointment only (from the source). Every desk's HOURS and CAPACITY are EXAMPLE DATA.
  std::vector<WeeklyInterval> main_hours = Weekdays(H(9), H(12, 30));
  main_hours.push_back({Weekday::tuesday, H(15), H(17, 30)});
  main_hours.push_back({Weekday::thursday, H(15), H(17, 30)});
  seed.desks.push_back(MakeDesk("capannori", "sede-centrale", "Sportello sociale - Sede centrale",
                                {"Piazza Aldo Moro 1", "55012", "Capannori", "LU"},
                                BookingMode::kWalkInAndAppointment, main_hours, 2));
  seed.desks.push_back(MakeDesk("capannori", "casa-salute-marlia",
                                "Sportello sociale - Casa della Salute di Marlia",
                                {"", "55014", "Marlia", "LU"}, BookingMode::kAppointmentOnly,
                                {{Weekday::wednesday, H(9), H(12)}}, 1));
  seed.desks.push_back(MakeDesk(
      "capannori", "san-leonardo-in-treponzio", "Sportello sociale - San Leonardo in Treponzio",
      {"", "55060", "San Leonardo in Treponzio", "LU"}, BookingMode::kAppointmentOnly,
      {{Weekday::friday, H(9), H(12)}}, 1));

  // One main desk per other comune. Lucca and Altopascio existed and were enlarged (more staff
  // for welcome and information: capacity 2); the others opened new. Hours: EXAMPLE DATA.
  struct MainDesk {
    const char* tenant;
    const char* locality;
    int capacity;
  };
  static constexpr MainDesk kMainDesks[] = {
      {"lucca", "Lucca", 2},
      {"altopascio", "Altopascio", 2},
      {"pescaglia", "Pescaglia", 1},
      {"porcari", "Porcari", 1},
      {"villa-basilica", "Villa Basilica", 1},
      {"montecarlo", "Montecarlo", 1},
  };
  for (const MainDesk& entry : kMainDesks) {
    seed.desks.push_back(MakeDesk(
        entry.tenant, "sportello-sociale", "Sportello sociale", {"", "", entry.locality, "LU"},
        BookingMode::kWalkInAndAppointment, Weekdays(H(9), H(12)), entry.capacity));
  }

  // Capannori's booking phone line, from the source: 0583 428252, Monday to Friday 09:00-13:00,
  // Tuesday and Thursday also 14:00-16:00.
  Channel phone;
  phone.tenant_id = "capannori";
  phone.id = "linea-telefonica";
  phone.display_name = "Linea telefonica per le prenotazioni";
  phone.kind = ChannelKind::kPhone;
  phone.phone_number = "+390583428252";
  phone.opening_hours = Weekdays(H(9), H(13));
  phone.opening_hours.push_back({Weekday::tuesday, H(14), H(16)});
  phone.opening_hours.push_back({Weekday::thursday, H(14), H(16)});
  seed.channels.push_back(phone);

  // Lucca's patron saint, San Paolino, 12 July (a municipal holiday in Lucca). Other comuni's
  // patron days are not seeded: their admins add them (CreateHoliday).
  Holiday san_paolino;
  san_paolino.tenant_id = "lucca";
  san_paolino.id = "san-paolino";
  san_paolino.display_name = "San Paolino, patrono di Lucca";
  san_paolino.date = absl::CivilDay(2000, 7, 12);
  san_paolino.recurring = true;
  seed.holidays.push_back(san_paolino);
  return seed;
}

// Creates what is missing and leaves what exists alone: a desk, service or channel that an
// administrator changed keeps the change. Only the directory entries of the comuni (which no
// RPC edits) are brought back to the seed's values.
template <typename T, typename Get, typename Create>
absl::Status CreateIfMissing(const T& resource, Get get, Create create, SeedReport& report) {
  absl::Status existing = get(resource).status();
  if (existing.ok()) {
    ++report.unchanged;
    return absl::OkStatus();
  }
  if (!absl::IsNotFound(existing)) return existing;
  absl::Status created = create(resource).status();
  // A concurrent seed (two Jobs, two `scripts/up`) may have created it in between.
  if (absl::IsAlreadyExists(created)) {
    ++report.unchanged;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(created);
  ++report.created;
  return absl::OkStatus();
}

absl::StatusOr<SeedReport> ApplySeed(const SeedData& seed, TenantsRepository& repository) {
  SeedReport report;
  for (const Tenant& tenant : seed.tenants) {
    // The upsert leaves an identical row untouched (update_time included).
    RETURN_IF_ERROR(repository.UpsertTenant(tenant));
  }
  for (const Service& service : seed.services) {
    RETURN_IF_ERROR(CreateIfMissing(
        service, [&](const Service& s) { return repository.GetService(s.tenant_id, s.id); },
        [&](const Service& s) { return repository.CreateService(s, {}, nullptr); }, report));
  }
  for (const Desk& desk : seed.desks) {
    RETURN_IF_ERROR(CreateIfMissing(
        desk, [&](const Desk& d) { return repository.GetDesk(d.tenant_id, d.id); },
        [&](const Desk& d) { return repository.CreateDesk(d, {}, nullptr); }, report));
  }
  for (const Channel& channel : seed.channels) {
    RETURN_IF_ERROR(CreateIfMissing(
        channel, [&](const Channel& c) { return repository.GetChannel(c.tenant_id, c.id); },
        [&](const Channel& c) { return repository.CreateChannel(c, {}, nullptr); }, report));
  }
  for (const Holiday& holiday : seed.holidays) {
    absl::Status created = repository.CreateHoliday(holiday, {}, nullptr).status();
    if (absl::IsAlreadyExists(created)) {
      ++report.unchanged;
    } else {
      RETURN_IF_ERROR(created);
      ++report.created;
    }
  }
  return report;
}

}  // namespace sportelli::tenants

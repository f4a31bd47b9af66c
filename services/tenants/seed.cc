#include "services/tenants/seed.h"

#include <algorithm>
#include <utility>

#include "sportelli/status/macros.h"

namespace sportelli::tenants {
namespace {

using absl::Weekday;

constexpr int H(int hours, int minutes = 0) { return hours * 60 + minutes; }

std::vector<WeeklyInterval> Weekdays(int start, int end) {
  std::vector<WeeklyInterval> hours;
  for (Weekday day : {Weekday::monday, Weekday::tuesday, Weekday::wednesday, Weekday::thursday, Weekday::friday}) {
    hours.push_back({day, start, end});
  }
  return hours;
}

Tenant MakeTenant(const char* id, const char* name, const char* istat, PostalAddress address, bool lead = false) {
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
  return {"accesso-punto-insieme", "accompagnamento-inserimento", "ascolto-accoglienza", "informazione-orientamento"};
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

bool SameDesk(const Desk& a, const Desk& b) {
  return a.display_name == b.display_name && a.address == b.address && a.booking_mode == b.booking_mode &&
         a.opening_hours == b.opening_hours && a.service_ids == b.service_ids && a.capacity == b.capacity;
}

bool SameService(const Service& a, const Service& b) {
  return a.display_name == b.display_name && a.description == b.description &&
         a.duration_minutes == b.duration_minutes;
}

bool SameChannel(const Channel& a, const Channel& b) {
  return a.display_name == b.display_name && a.kind == b.kind && a.phone_number == b.phone_number &&
         a.opening_hours == b.opening_hours;
}

// Stored hours come back ordered by (ISO day, start) and ids sorted; compare in that order.
std::vector<WeeklyInterval> SortedHours(std::vector<WeeklyInterval> hours) {
  // absl::Weekday counts from Monday = 0, the ISO order.
  auto iso_day = [](absl::Weekday day) { return static_cast<int>(day); };
  std::sort(hours.begin(), hours.end(), [&](const WeeklyInterval& a, const WeeklyInterval& b) {
    return std::make_pair(iso_day(a.day), a.start_minute) < std::make_pair(iso_day(b.day), b.start_minute);
  });
  return hours;
}

Desk Normalized(Desk desk) {
  desk.opening_hours = SortedHours(std::move(desk.opening_hours));
  std::sort(desk.service_ids.begin(), desk.service_ids.end());
  return desk;
}

Channel Normalized(Channel channel) {
  channel.opening_hours = SortedHours(std::move(channel.opening_hours));
  return channel;
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
      MakeTenant("villa-basilica", "Comune di Villa Basilica", "046034", {"", "", "Villa Basilica", "LU"}),
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
  seed.desks.push_back(MakeDesk("capannori", "casa-salute-marlia", "Sportello sociale - Casa della Salute di Marlia",
                                {"", "55014", "Marlia", "LU"}, BookingMode::kAppointmentOnly,
                                {{Weekday::wednesday, H(9), H(12)}}, 1));
  seed.desks.push_back(MakeDesk("capannori", "san-leonardo-in-treponzio",
                                "Sportello sociale - San Leonardo in Treponzio", {"", "55060", "San Leonardo in Treponzio", "LU"},
                                BookingMode::kAppointmentOnly, {{Weekday::friday, H(9), H(12)}}, 1));

  // One main desk per other comune. Lucca and Altopascio existed and were enlarged (more staff
  // for welcome and information: capacity 2); the others opened new. Hours: EXAMPLE DATA.
  struct MainDesk {
    const char* tenant;
    const char* locality;
    int capacity;
  };
  static constexpr MainDesk kMainDesks[] = {
      {"lucca", "Lucca", 2},       {"altopascio", "Altopascio", 2},         {"pescaglia", "Pescaglia", 1},
      {"porcari", "Porcari", 1},   {"villa-basilica", "Villa Basilica", 1}, {"montecarlo", "Montecarlo", 1},
  };
  for (const MainDesk& entry : kMainDesks) {
    seed.desks.push_back(MakeDesk(entry.tenant, "sportello-sociale", "Sportello sociale", {"", "", entry.locality, "LU"},
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

absl::StatusOr<SeedReport> ApplySeed(const SeedData& seed, TenantsRepository& repository) {
  SeedReport report;
  for (const Tenant& tenant : seed.tenants) {
    // The upsert itself leaves an identical row untouched.
    RETURN_IF_ERROR(repository.UpsertTenant(tenant));
  }
  for (const Service& service : seed.services) {
    absl::StatusOr<Service> existing = repository.GetService(service.tenant_id, service.id);
    if (existing.ok()) {
      if (SameService(*existing, service)) {
        ++report.unchanged;
        continue;
      }
      RETURN_IF_ERROR(repository.UpdateService(service).status());
      ++report.updated;
    } else if (absl::IsNotFound(existing.status())) {
      RETURN_IF_ERROR(repository.CreateService(service, {}, nullptr).status());
      ++report.created;
    } else {
      return existing.status();
    }
  }
  for (const Desk& desk : seed.desks) {
    absl::StatusOr<Desk> existing = repository.GetDesk(desk.tenant_id, desk.id);
    if (existing.ok()) {
      if (SameDesk(Normalized(*existing), Normalized(desk))) {
        ++report.unchanged;
        continue;
      }
      RETURN_IF_ERROR(repository.UpdateDesk(desk).status());
      ++report.updated;
    } else if (absl::IsNotFound(existing.status())) {
      RETURN_IF_ERROR(repository.CreateDesk(desk, {}, nullptr).status());
      ++report.created;
    } else {
      return existing.status();
    }
  }
  for (const Channel& channel : seed.channels) {
    absl::StatusOr<Channel> existing = repository.GetChannel(channel.tenant_id, channel.id);
    if (existing.ok()) {
      if (SameChannel(Normalized(*existing), Normalized(channel))) {
        ++report.unchanged;
        continue;
      }
      RETURN_IF_ERROR(repository.UpdateChannel(channel).status());
      ++report.updated;
    } else if (absl::IsNotFound(existing.status())) {
      RETURN_IF_ERROR(repository.CreateChannel(channel, {}, nullptr).status());
      ++report.created;
    } else {
      return existing.status();
    }
  }
  for (const Holiday& holiday : seed.holidays) {
    absl::StatusOr<Created<Holiday>> created = repository.CreateHoliday(holiday, {}, nullptr);
    if (created.ok()) {
      ++report.created;
    } else if (absl::IsAlreadyExists(created.status())) {
      ++report.unchanged;
    } else {
      return created.status();
    }
  }
  return report;
}

}  // namespace sportelli::tenants

// Places near a person (repair, give, drop off, recycle): the "use my location" buttons and the map.
// Names are data: popups get text nodes, never HTML. The position sent is rounded to 3 decimals.
(function () {
  "use strict";
  document.querySelectorAll("button.locate").forEach((button) => {
    button.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition((pos) => {
        const url = new URL(window.location.href);
        url.searchParams.delete("commune");
        url.searchParams.set("lat", pos.coords.latitude.toFixed(3));
        url.searchParams.set("lon", pos.coords.longitude.toFixed(3));
        url.hash = "where";
        window.location.href = url.toString();
      });
    });
  });
  if (!window.L) return;
  document.querySelectorAll("[data-places]").forEach((el) => {
    const text = (t) => { const s = document.createElement("span"); s.textContent = t; return s; };
    const places = JSON.parse(el.dataset.places);
    const origin = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    const map = L.map(el).setView(origin, 11);
    if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
    const bounds = [origin];
    L.circleMarker(origin, { radius: 6, color: "#333" }).addTo(map);
    places.forEach((p) => {
      L.circleMarker([p.lat, p.lon], { radius: 7, color: p.illustrative ? "#8a4b00" : "#1b7f3b" })
        .bindPopup(text(p.name + (p.illustrative ? " (" + el.dataset.illustrativeLabel + ")" : "") + ", " + p.commune
          + " (" + p.distance_km + " km)")).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 });
  });
})();

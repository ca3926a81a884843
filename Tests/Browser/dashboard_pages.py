"""Loads the dashboard's pages in headless Chromium (Selenium), follows their links, saves
screenshots, and prints what a person sees as JSON for the Swift test to check against SQL.

    dashboard_pages.py BASE_URL SCREENSHOT_DIR [STORE]
"""
import json
import os
import sys

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def tables(driver):
    """Each table under its h2 heading: {heading: [[cell text, ...], ...]}."""
    seen = {}
    for section in driver.find_elements(By.CSS_SELECTOR, "h2"):
        heading = section.text
        rows = []
        # The section's table: the first one before the next heading.
        for element in section.find_elements(By.XPATH, "following-sibling::*"):
            if element.tag_name == "h2":
                break
            if "scroll" in (element.get_attribute("class") or ""):
                for row in element.find_elements(By.CSS_SELECTOR, "tbody tr"):
                    rows.append([cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")])
                break
        seen[heading] = rows
    return seen


def alert_fired(driver):
    try:
        driver.switch_to.alert
        return True
    except NoAlertPresentException:
        return False


def page(driver, url, shot):
    driver.get(url)
    driver.save_screenshot(shot)
    cards = {card.find_element(By.CLASS_NAME, "label").text: card.find_element(By.CLASS_NAME, "value").text
             for card in driver.find_elements(By.CSS_SELECTOR, ".card")}
    return {
        "url": driver.current_url, "title": driver.title, "h1": driver.find_element(By.TAG_NAME, "h1").text,
        "cards": cards, "tables": tables(driver), "alert": alert_fired(driver),
        "scripts": len(driver.find_elements(By.TAG_NAME, "script")), "body": driver.find_element(By.TAG_NAME, "main").text,
        "json": driver.find_element(By.CSS_SELECTOR, "footer a").get_attribute("href"),
    }


def main():
    base, shots = sys.argv[1], sys.argv[2]
    store = sys.argv[3] if len(sys.argv) > 3 else "S1"
    os.makedirs(shots, exist_ok=True)
    seen = {}
    driver = browser(1280, 1000)
    try:
        seen["overview"] = page(driver, base + "/", f"{shots}/overview.png")
        # Live refresh: live.js receives the first Server-Sent Event and marks the page.
        WebDriverWait(driver, 15).until(
            lambda d: d.execute_script("return document.documentElement.dataset.liveUpdated || ''"))
        seen["overview"]["live"] = {element.get_attribute("data-live"): element.text
                                    for element in driver.find_elements(By.CSS_SELECTOR, "[data-live]")}
        seen["overview"]["sparklines"] = len(driver.find_elements(By.CSS_SELECTOR, "svg.spark polyline"))
        # The Pipeline page, through the navigation, then filtered as a person would.
        driver.find_element(By.LINK_TEXT, "Pipeline").click()
        seen["pipeline"] = page(driver, driver.current_url, f"{shots}/pipeline.png")
        seen["pipeline"]["records"] = [element.text for element in driver.find_elements(By.CSS_SELECTOR, "td pre")]
        Select(driver.find_element(By.NAME, "stage")).select_by_value("gold")
        driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
        seen["pipelineGold"] = page(driver, driver.current_url, f"{shots}/pipeline-gold.png")
        seen["stores"] = page(driver, base + "/stores", f"{shots}/stores.png")
        # Follow the store's link as a person would.
        driver.find_element(By.LINK_TEXT, store).click()
        seen["store"] = page(driver, driver.current_url, f"{shots}/store.png")
        # Its first item's page, as a person would reach it.
        store_url = driver.current_url
        driver.find_element(By.CSS_SELECTOR, "td a[href*='/items/']").click()
        seen["item"] = page(driver, driver.current_url, f"{shots}/item.png")
        seen["item"]["charts"] = len(driver.find_elements(By.CSS_SELECTOR, "main svg"))
        driver.get(store_url)
        # The page's JSON link answers with JSON.
        driver.get(seen["store"]["json"])
        seen["storeJSON"] = json.loads(driver.find_element(By.TAG_NAME, "body").text)
    finally:
        driver.quit()
    phone = browser(500, 900)
    try:
        # A phone's screen (headless Chromium's window is at least 500 pixels wide).
        phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        seen["phone"] = page(phone, base + "/stores/" + store, f"{shots}/store-phone.png")
        seen["phone"]["scrollWidth"] = phone.execute_script("return document.documentElement.scrollWidth")
        seen["phone"]["clientWidth"] = phone.execute_script("return document.documentElement.clientWidth")
    finally:
        phone.quit()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
